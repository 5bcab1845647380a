# bash completion of quorumctl (installed by `cmake --install` to
# share/bash-completion/completions/quorumctl).
_quorumctl() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
  }
  local globals="--host --output -o --timeout --cacert --cert --key --help --version"
  case $prev in
    --output|-o) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --cacert|--cert|--key|--file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --host|--timeout|--to|--if-version|--cluster|--grace-ms|--margin-ms|--poll-ms|--hold-ms) return ;;
    --tags|--id|--weight) return ;;
  esac
  local command="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      --host|--output|-o|--timeout|--cacert|--cert|--key) ((i++)) ;;
      -*) ;;
      *) if [ -z "$command" ]; then command=${words[i]}; elif [ -z "$sub" ]; then sub=${words[i]}; fi ;;
    esac
  done
  case $command in
    "") COMPREPLY=($(compgen -W "controller config status run cluster standby $globals" -- "$cur")) ;;
    controller) COMPREPLY=($(compgen -W "--list --long --no-header --batch --watch --history --local --transfer-leader --to --step-down --register --deregister --drain --undrain --weight --tags --standby --help" -- "$cur")) ;;
    cluster) COMPREPLY=($(compgen -W "--list --long --no-header --batch --add --id --tags --no-auto-recovery --remove --move --pin --unpin --to --help" -- "$cur")) ;;
    standby) COMPREPLY=($(compgen -W "--promote --force --help" -- "$cur")) ;;
    config)
      if [ -z "$sub" ]; then
        COMPREPLY=($(compgen -W "get set edit delete list --help" -- "$cur"))
      elif [ "$sub" = set ]; then
        COMPREPLY=($(compgen -W "--file --wait --wait=all --if-version --" -- "$cur"))
      fi ;;
    status) COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
    run) COMPREPLY=($(compgen -W "--cluster --grace-ms --margin-ms --poll-ms --hold-ms -- --help" -- "$cur")) ;;
  esac
}
complete -F _quorumctl quorumctl
