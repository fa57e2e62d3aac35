"""The rules a state profile may hold (``schema.Rules`` declares their values)."""

# Each rule, in the order profiles list them, and what it is (the words `states show` and
# "not known" use).
MEANINGS = {
    "api_host": "Metrc API host",
    "receipt_days": "tag receipt recorded within (days)",
    "not_arrived_days": "ordered tags that never arrive reported after (days)",
    "reconcile": "inventory reconciled with the records",
    "discrepancy_percent": "a significant inventory discrepancy (percent)",
    "order_max_tags": "most tags in one order",
    "holding_cap": "most tags held unused and on order (cultivators)",
    "retail_id": "Retail ID",
    "records_years": "records kept (years)",
    "tag_price": "tag price (USD each)",
    "plant_batch_max": "most plants under one plant batch tag",
    "monthly_report_day": "monthly report due by day of the month",
}
