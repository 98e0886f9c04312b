"""The Slack adapter: Block Kit rendering of replies (`bot.slack.blocks`) and the app around it."""
