#!/bin/sh
# receipt.sh: prints a receipt for the shopping list in items.csv.
# It reads items.csv from the folder it is started in (its working directory).

echo "RECEIPT"
awk -F, '
  NR == 1 { next }                      # skip the header line
  {
    cost = $2 * $3                      # quantity x price
    total += cost
    printf "  %-8s %2d x %5.2f = %6.2f\n", $1, $2, $3, cost
  }
  END { printf "Total: %.2f\n", total }
' items.csv
