# The bootstrap profile: what a host's *image* is, as opposed to the converged host. drover.lib.hcloudImage turns it
# on; the running host's own configuration (nixos-rebuild switch --flake REF#HOST at first boot) turns it off again.
#
# An image is uploaded to the cloud and copied to every server made from it, so it must hold no secret and start
# nothing that needs one (clawlets' images follow the same rule):
#   - no SSH host keys: sshd makes them at first boot (and drover-agent's instance check removes keys a snapshot
#     brought along);
#   - no sops-nix or agenix secrets and no key to decrypt them: their options are emptied where those modules are
#     imported (checked with `options ? sops` / `options ? age`, so the profile works without them);
#   - the services named in drover.bootstrap.deferredServices (those that read secrets) are not started by the
#     image; the converge switches to the full configuration, which starts them.
# Drover's image scanner checks the built image for keys and tokens again before anything is uploaded.
{ config, lib, options, ... }:

let
  cfg = config.drover.bootstrap;
in
{
  options.drover.bootstrap = {
    enable = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Whether this evaluation is the host's image (the bootstrap profile) rather than the converged host.";
    };

    deferredServices = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "postgresql" "grafana" ];
      description = ''
        systemd services (names without .service) that need secrets: the image does not start them; the host's
        converge (nixos-rebuild switch to the full configuration) does.
      '';
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      # The image's first boot is not the host's last word: the agent converges it.
      services.drover-agent.enable = lib.mkDefault true;

      systemd.services = lib.genAttrs cfg.deferredServices (_: { wantedBy = lib.mkForce [ ]; });

      assertions = [
        {
          assertion = lib.all (name: !(lib.hasPrefix "ssh/ssh_host_" name)) (lib.attrNames config.environment.etc);
          message = "drover bootstrap profile: environment.etc must not carry SSH host keys (sshd makes them at first boot)";
        }
        {
          assertion = lib.all (key: !(lib.hasPrefix "/nix/store" key.path)) config.services.openssh.hostKeys;
          message = "drover bootstrap profile: services.openssh.hostKeys must not point into the Nix store, which the image copies to every server";
        }
        {
          assertion = config.services.drover-agent.enable;
          message = "drover bootstrap profile: the image needs drover-agent (services.drover-agent.enable) to converge at first boot";
        }
      ];
    }

    # sops-nix (its options exist only where its module is imported): no secrets, no key file, no generated key.
    (lib.optionalAttrs (options ? sops) {
      sops.secrets = lib.mkForce { };
      sops.age.generateKey = lib.mkForce false;
    })

    # agenix: no secrets to decrypt at activation.
    (lib.optionalAttrs (options ? age && options.age ? secrets) {
      age.secrets = lib.mkForce { };
    })
  ]);
}
