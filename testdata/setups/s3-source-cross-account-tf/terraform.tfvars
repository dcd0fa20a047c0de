tools_account_id = "111111111111"
prod_account_id  = "222222222222"
