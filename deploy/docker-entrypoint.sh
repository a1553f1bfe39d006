#!/bin/sh
# Starts one e-Office process in the image built by deploy/Dockerfile.
#
#   docker-entrypoint.sh SERVICE               nameko run services.SERVICE.service:<Class>
#   docker-entrypoint.sh migrate [SERVICE...]  alembic upgrade head (all seven when none named)
#   docker-entrypoint.sh axis [ARG...]         the reference axis (python -m services.axis,
#                                              not nameko) on ${AXIS_PORT:-8109}, data in
#                                              ${AXIS_DATA_DIR:-/data/axis}, connected systems from
#                                              ${AXIS_SYSTEMS_FILE:-/etc/eoffice/axis/systems.json}
#   docker-entrypoint.sh                       the service named by $EOFFICE_SERVICE
#   docker-entrypoint.sh COMMAND [ARG...]      anything else runs as given (sh, nameko shell, ...)
#
# Every setting of our nameko services comes from the environment through deploy/config.yml
# (${VAR:default}); the reference axis takes the AXIS_* variables above (and AXIS_HOST,
# default 0.0.0.0; AXIS_MAX_SIZE, its largest package in bytes) as arguments.
set -eu

CONFIG="${EOFFICE_CONFIG:-/app/deploy/config.yml}"

if [ "$#" -eq 0 ]; then
    if [ -z "${EOFFICE_SERVICE:-}" ]; then
        echo "docker-entrypoint.sh: name a service to run (argument or EOFFICE_SERVICE):" \
             "gateway documents workflow search notify storage signing exchange, or: axis," \
             "or: migrate SERVICE" >&2
        exit 64
    fi
    set -- "$EOFFICE_SERVICE"
fi

# The class is named: given a bare module, `nameko run` also tries to run the base classes
# the module imports (services.common.service_base) and refuses to start.
case "$1" in
    gateway)   SERVICE_CLASS=services.gateway.service:GatewayService ;;
    documents) SERVICE_CLASS=services.documents.service:DocumentsService ;;
    workflow)  SERVICE_CLASS=services.workflow.service:WorkflowService ;;
    search)    SERVICE_CLASS=services.search.service:SearchService ;;
    notify)    SERVICE_CLASS=services.notify.service:NotifyService ;;
    storage)   SERVICE_CLASS=services.storage.service:StorageService ;;
    signing)   SERVICE_CLASS=services.signing.service:SigningService ;;
    exchange)  SERVICE_CLASS=services.exchange.service:ExchangeService ;;
    *)         SERVICE_CLASS= ;;
esac

case "$1" in
    gateway|documents|workflow|search|notify|storage|signing|exchange)
        # exec: nameko becomes the process tini signals, so SIGTERM stops it gracefully.
        exec nameko run --config "$CONFIG" "$SERVICE_CLASS"
        ;;
    axis)
        # The reference axis, for development and small federations; a production deployment
        # points EXCHANGE_AXIS_URL at the national axis instead. It listens on every address
        # of the container (its own default is 127.0.0.1, unreachable from other containers).
        shift
        exec python -m services.axis --port "${AXIS_PORT:-8109}" \
            --data "${AXIS_DATA_DIR:-/data/axis}" \
            --systems "${AXIS_SYSTEMS_FILE:-/etc/eoffice/axis/systems.json}" \
            --host "${AXIS_HOST:-0.0.0.0}" \
            ${AXIS_MAX_SIZE:+--max-size "$AXIS_MAX_SIZE"} "$@"
        ;;
    migrate)
        shift
        # --config goes after the service names: argparse cannot parse it in between.
        exec python -m services.common.migrations upgrade "$@" --config "$CONFIG"
        ;;
    *)
        exec "$@"
        ;;
esac
