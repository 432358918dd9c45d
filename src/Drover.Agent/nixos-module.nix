# NixOS module for drover-agent, Drover's first-boot agent (print it with `drover agent nixos-module`).
#
#   imports = [ ./drover-agent.nix ];
#   services.drover-agent.enable = true;
#   services.drover-agent.package = pkgs.runCommand "drover-agent" { } ''
#     install -Dm755 ${./drover-agent} $out/bin/drover-agent     # from scripts/publish-agent
#   '';
#
# At first boot the agent reads the Hetzner metadata service and writes /etc/hcloud-metadata.json,
# /etc/hcloud-userdata, /etc/hostname, /root/.ssh/authorized_keys, /etc/systemd/network/*-drover-*.network
# and /etc/nix-flake-target, runs the converge command once (nixos-rebuild switch --flake REF#HOSTNAME when
# the user-data names a flake), then writes /var/lib/drover/agent.done and /var/lib/drover/status.json.
#
# config.hcloud.* exposes where those files are, not their contents: the hostname, keys and addresses exist
# only at run time on the server, so Nix evaluation cannot read them. Units that need them should read the
# files and order themselves after config.hcloud.service.
#
# Honest note: this module was written on a machine without Nix and has not been evaluated; check it with
# `nix-instantiate --parse` and a VM test before relying on it.
{ config, lib, pkgs, ... }:

let
  cfg = config.services.drover-agent;
  readOnlyPath = default: description: lib.mkOption {
    type = lib.types.str;
    inherit default description;
    readOnly = true;
  };
in
{
  options.services.drover-agent = {
    enable = lib.mkEnableOption "drover-agent, the first-boot agent for Hetzner Cloud servers";

    package = lib.mkOption {
      type = lib.types.package;
      description = ''
        A package with bin/drover-agent: the self-contained, trimmed linux-x64 single file that
        scripts/publish-agent builds. It is linked against glibc's /lib64/ld-linux-x86-64.so.2, which NixOS
        provides through nix-ld (enabled below); do not patchelf it (that breaks the single-file bundle).
      '';
    };

    metadataUrl = lib.mkOption {
      type = lib.types.str;
      default = "http://169.254.169.254/hetzner/v1/";
      description = "Base URL of the metadata service (metadata, metadata/private-networks and userdata below it).";
    };

    timeout = lib.mkOption {
      type = lib.types.str;
      default = "120s";
      description = "How long the agent retries the metadata service (e.g. 120s, 5m).";
    };

    convergePath = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ config.nix.package pkgs.git config.system.build.nixos-rebuild ];
      defaultText = lib.literalExpression "[ config.nix.package pkgs.git config.system.build.nixos-rebuild ]";
      description = "Packages on the PATH of the converge command.";
    };
  };

  options.hcloud = {
    metadataFile = readOnlyPath "/etc/hcloud-metadata.json" "The metadata document as JSON (0600), private-networks included.";
    userdataFile = readOnlyPath "/etc/hcloud-userdata" "The raw user-data (0600); empty when the server has none.";
    flakeTargetFile = readOnlyPath "/etc/nix-flake-target" "The flake reference named by the user-data, when there is one.";
    statusFile = readOnlyPath "/var/lib/drover/status.json" "The agent's last run: status, hostname, instance_id, steps, converge.";
    markerFile = readOnlyPath "/var/lib/drover/agent.done" "Present once the agent succeeded, with the instance-id; later boots of the same instance do nothing.";
    service = readOnlyPath "drover-agent.service" "The unit to order after (After= and Wants=) when the files above are needed.";
    metadataUrl = lib.mkOption {
      type = lib.types.str;
      default = cfg.metadataUrl;
      defaultText = lib.literalExpression "config.services.drover-agent.metadataUrl";
      readOnly = true;
      description = "The metadata service the agent reads.";
    };
  };

  config = lib.mkIf cfg.enable {
    # The hostname comes from the metadata at first boot; an empty hostName keeps NixOS from owning /etc/hostname.
    networking.hostName = lib.mkDefault "";
    # The agent writes systemd-networkd units matched by MAC address.
    networking.useNetworkd = lib.mkDefault true;
    networking.useDHCP = lib.mkDefault false;
    systemd.network.enable = lib.mkDefault true;
    services.openssh.enable = lib.mkDefault true;

    # The published binary expects an FHS dynamic loader, libstdc++ and libgcc_s (no ICU: invariant globalization).
    programs.nix-ld.enable = lib.mkDefault true;
    programs.nix-ld.libraries = [ pkgs.stdenv.cc.cc.lib ];

    environment.etc."drover/agent.env".text = ''
      DROVER_METADATA_URL=${cfg.metadataUrl}
      DROVER_TIMEOUT=${cfg.timeout}
    '';

    # Early and offline: a disk from a snapshot of another server loses that server's marker and SSH host keys
    # before sshd starts (sshd's own pre-start then makes new keys).
    systemd.services.drover-agent-instance-check = {
      description = "Drover instance check (a first-boot marker and SSH host keys from another server go)";
      wantedBy = [ "multi-user.target" ];
      before = [ "sshd.service" "drover-agent.service" ];
      restartIfChanged = false;
      serviceConfig = {
        Type = "oneshot";
        ExecStart = "${cfg.package}/bin/drover-agent --instance-check";
        RemainAfterExit = true;
      };
    };

    systemd.services.drover-agent = {
      description = "Drover first-boot agent (Hetzner Cloud metadata, hostname, keys, network, converge)";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      path = cfg.convergePath ++ [ pkgs.systemd pkgs.coreutils ];
      environment.NIX_LD_LIBRARY_PATH = lib.makeLibraryPath [ pkgs.stdenv.cc.cc.lib ];
      # nixos-rebuild switch restarts units; the agent must not be one that is stopped mid-run.
      restartIfChanged = false;
      serviceConfig = {
        Type = "oneshot";
        ExecStart = "${cfg.package}/bin/drover-agent";
        RemainAfterExit = true;
        StandardOutput = "journal+console";
        StandardError = "journal+console";
        TimeoutStartSec = "infinity";
      };
    };
  };
}
