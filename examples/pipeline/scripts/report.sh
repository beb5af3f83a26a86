#!/bin/sh
# Assembles the Markdown report from the analysis steps' files (all under $KO_IN).
set -eu
{
    echo "# ${TITLE}"
    echo
    echo "Requests: $(cat "$KO_IN/requests")"
    echo
    echo "## Status codes"
    echo
    echo "| status | requests |"
    echo "|--------|----------|"
    awk -F '\t' '{ printf "| %s | %s |\n", $1, $2 }' "$KO_IN/status"
    echo
    echo "## Top pages"
    echo
    awk '{ printf "%d. %s (%s)\n", NR, $2, $1 }' "$KO_IN/paths"
} > "$KO_OUT/report"
