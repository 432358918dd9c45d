# A user's module whose assertion fails.
{ config, ... }:
{
  assertions = [
    { assertion = config.hcloud.instanceId != null; message = "this host needs the server's metadata (evaluate with --impure)"; }
  ];
}
