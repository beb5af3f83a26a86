# Requests per HTTP status code (field 9 of the combined log format), as "status<TAB>count".
{ count[$9]++ }
END { for (status in count) printf "%s\t%d\n", status, count[status] }
