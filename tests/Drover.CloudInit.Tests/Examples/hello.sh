#!/bin/sh
# Runs once as a user script; $${NAME} is shell syntax, escaped from the template.
set -eu
NAME=${HOSTNAME}
echo "hello from $${NAME} in ${DOMAIN}" > /run/drover-hello
echo "$HOME"
