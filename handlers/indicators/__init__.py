"""The plan and its indicators: plan files, recorded figures and progress, chat commands, exports, reporting dates."""
