"""Restaurant tax (pajak restoran): tapping-box sales, monthly returns and payments, the flags that
say whom to follow up and why, and the follow-up cases of the revenue office (BPPRD). No Dash, no UI words."""
