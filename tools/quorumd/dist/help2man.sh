#!/bin/sh
# help2man.sh NAME SECTION OUTPUT COMMAND...: a man page from the help text of COMMAND (the
# help text is the reference; the page only wraps it). Run at build time.
set -eu
name=$1; section=$2; out=$3; shift 3
{
  printf '.TH %s %s "" "Quorum" "Quorum"\n' "$(echo "$name" | tr a-z A-Z)" "$section"
  printf '.SH NAME\n%s \\- %s\n' "$name" "$( [ "$name" = quorumd ] && echo 'the Quorum controller daemon' || echo 'command-line client of the Quorum controllers')"
  printf '.SH DESCRIPTION\n.nf\n'
  for args in "$@"; do
    # shellcheck disable=SC2086
    $args 2>&1 | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
    printf '\n'
  done
  printf '.fi\n.SH SEE ALSO\ndocs/operations.md in the Quorum sources.\n'
} > "$out"
