# NixOS module for drover-agent, Drover's first-boot agent (also printed by `drover agent nixos-module`).
# In a flake: `imports = [ drover.nixosModules.drover-agent ];` (drover.nixosModules.default brings all of Drover's).
#
#   services.drover-agent.enable = true;
#   services.drover-agent.package = drover.lib.agentPackage { inherit pkgs; binaries = inputs.drover-agent; };
#
# At first boot the agent reads the Hetzner metadata service and writes /etc/hcloud-metadata.json,
# /etc/hcloud-userdata, /etc/hostname, /root/.ssh/authorized_keys, systemd-networkd units (under
# /run/systemd/network here: NixOS owns /etc/systemd/network) and /etc/nix-flake-target, runs the converge command
# once (nixos-rebuild switch --flake REF#HOSTNAME, with --impure when the user-data asks for it), then writes
# /var/lib/drover/agent.done and /var/lib/drover/status.json. The hcloud module (drover.nixosModules.hcloud) turns
# /etc/hcloud-metadata.json into config.hcloud.* when nixos-rebuild evaluates impurely.
#
# Evaluated by Nix in Drover's tests against nixpkgs of July 2020 (NixOS 20.09pre); options newer than that are
# guarded with `options ? ...` and named where they are used. Checked: the units' text, the instance check before
# sshd, the agent after network-online.target.
{ config, lib, pkgs, options, ... }:

let
  cfg = config.services.drover-agent;
  # The loader and libraries the published single file needs (it is not patchelf'd: that breaks the bundle).
  runtimeLibraries = [ pkgs.stdenv.cc.cc.lib ];
  fhsLoader = if pkgs.stdenv.hostPlatform.isAarch64 then "/lib/ld-linux-aarch64.so.1" else "/lib64/ld-linux-x86-64.so.2";
in
{
  options.services.drover-agent = {
    enable = lib.mkEnableOption "drover-agent, the first-boot agent for Hetzner Cloud servers";

    package = lib.mkOption {
      type = lib.types.package;
      description = ''
        A package with bin/drover-agent: the self-contained, trimmed single file that scripts/publish-agent builds
        (linux-x64 or linux-arm64). drover.lib.agentPackage makes one from a directory of published binaries.
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

    networkDirectory = lib.mkOption {
      type = lib.types.str;
      default = "/run/systemd/network";
      description = ''
        Where the agent writes its systemd-networkd units. On NixOS /etc/systemd/network is a link into the store,
        so the runtime directory is used; config.hcloud.* declares the same network once the host is converged.
      '';
    };

    convergePath = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ config.nix.package pkgs.git config.system.build.nixos-rebuild ];
      defaultText = "[ config.nix.package pkgs.git config.system.build.nixos-rebuild ]";
      description = "Packages on the PATH of the converge command (nixos-rebuild switch --flake ...).";
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      # The hostname comes from the metadata at first boot; an empty hostName keeps NixOS from owning
      # /etc/hostname. drover.nixosModules.hcloud sets it (mkDefault) once the metadata file is there.
      networking.hostName = lib.mkOverride 1100 "";
      networking.useNetworkd = lib.mkDefault true;
      networking.useDHCP = lib.mkDefault false;
      systemd.network.enable = lib.mkDefault true;
      services.openssh.enable = lib.mkDefault true;

      environment.etc."drover/agent.env".text = ''
        DROVER_METADATA_URL=${cfg.metadataUrl}
        DROVER_TIMEOUT=${cfg.timeout}
        DROVER_NETWORK_DIR=${cfg.networkDirectory}
      '';

      # Early and offline: a disk from a snapshot of another server loses that server's marker and SSH host keys
      # before sshd starts (sshd's own pre-start then makes new keys).
      systemd.services.drover-agent-instance-check = {
        description = "Drover instance check (a first-boot marker and SSH host keys from another server go)";
        wantedBy = [ "multi-user.target" ];
        before = [ "sshd.service" "drover-agent.service" ];
        restartIfChanged = false;
        environment.NIX_LD_LIBRARY_PATH = lib.makeLibraryPath runtimeLibraries;
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
        after = [ "network-online.target" "drover-agent-instance-check.service" ];
        path = cfg.convergePath ++ [ pkgs.systemd pkgs.coreutils ];
        environment.NIX_LD_LIBRARY_PATH = lib.makeLibraryPath runtimeLibraries;
        # nixos-rebuild switch restarts changed units; the agent must not be stopped in the middle of its own run.
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

      # nixos-rebuild switch --flake needs the flakes feature. `nix.extraOptions` exists in 20.09 and today.
      nix.extraOptions = ''
        experimental-features = nix-command flakes
      '';
    }

    # The published single file expects the FHS loader (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1),
    # libstdc++ and libgcc_s. programs.nix-ld (NixOS 22.05 and later) provides the loader; older NixOS (20.09 has
    # no programs.nix-ld) gets a link to glibc's loader instead, and the libraries through LD_LIBRARY_PATH.
    (if options ? programs && options.programs ? nix-ld then {
      programs.nix-ld.enable = lib.mkDefault true;
      programs.nix-ld.libraries = runtimeLibraries;
    } else {
      systemd.tmpfiles.rules = [ "L+ ${fhsLoader} - - - - ${pkgs.stdenv.cc.bintools.dynamicLinker}" ];
      systemd.services.drover-agent-instance-check.environment.LD_LIBRARY_PATH = lib.makeLibraryPath runtimeLibraries;
      systemd.services.drover-agent.environment.LD_LIBRARY_PATH = lib.makeLibraryPath runtimeLibraries;
    })
  ]);
}
