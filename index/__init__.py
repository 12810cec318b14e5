"""The knowledge side of samordna: corpus files → notes → hybrid index → quoted answers.

Nothing in this package knows about Telegram or terminals; renderers consume `Answer`.
"""
