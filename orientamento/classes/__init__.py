"""School classes: counsellors' groups of pupils, join codes and consent."""
