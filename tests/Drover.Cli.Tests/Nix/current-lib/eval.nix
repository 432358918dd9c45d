# drover.nixosModules.hcloud and .bootstrap under today's nixpkgs lib (26.11): the module system's semantics
# (mkDefault against a configuration, freeform submodules, optional modules) with the NixOS options they touch
# declared here, as current NixOS declares them. The NixOS options themselves are checked against the 2020 tree.
{ lib, modules, overrides ? { } }:
let
  inherit (lib) mkOption types;
  any = types.submodule { freeformType = types.attrsOf types.anything; };
  stubs = {
    options = {
      networking.hostName = mkOption { type = types.str; default = "nixos"; };
      networking.useNetworkd = mkOption { type = types.bool; default = false; };
      networking.useDHCP = mkOption { type = types.bool; default = true; };
      users.users = mkOption {
        type = types.attrsOf (types.submodule { options.openssh.authorizedKeys.keys = mkOption { type = types.listOf types.str; default = [ ]; }; });
        default = { };
      };
      systemd.network.enable = mkOption { type = types.bool; default = false; };
      systemd.network.networks = mkOption {
        type = types.attrsOf (types.submodule {
          options.matchConfig = mkOption { type = types.attrsOf types.str; default = { }; };
          options.networkConfig = mkOption { type = types.attrsOf types.str; default = { }; };
          options.address = mkOption { type = types.listOf types.str; default = [ ]; };
          options.gateway = mkOption { type = types.listOf types.str; default = [ ]; };
        });
        default = { };
      };
      systemd.services = mkOption { type = types.attrsOf any; default = { }; };
      fileSystems = mkOption {
        type = types.attrsOf (types.submodule {
          options.device = mkOption { type = types.str; };
          options.fsType = mkOption { type = types.str; };
          options.autoResize = mkOption { type = types.bool; default = false; };
        });
      };
      boot.growPartition = mkOption { type = types.bool; default = false; };
      boot.loader.grub.device = mkOption { type = types.str; default = ""; };
      boot.loader.grub.efiSupport = mkOption { type = types.bool; default = false; };
      boot.loader.grub.efiInstallAsRemovable = mkOption { type = types.bool; default = false; };
      boot.initrd.availableKernelModules = mkOption { type = types.listOf types.str; default = [ ]; };
      boot.kernelParams = mkOption { type = types.listOf types.str; default = [ ]; };
      environment.etc = mkOption { type = types.attrsOf any; default = { }; };
      services.openssh.hostKeys = mkOption { type = types.listOf any; default = [ ]; };
      services.drover-agent.enable = mkOption { type = types.bool; default = false; };
      assertions = mkOption { type = types.listOf types.unspecified; default = [ ]; };
    };
    config._module.args.pkgs = { path = ./.; stdenv.hostPlatform.isAarch64 = false; };
  };
  evaluated = lib.evalModules { modules = [ stubs modules.hcloud modules.bootstrap overrides ]; };
  c = evaluated.config;
in
{
  inherit (c.hcloud) hostname instanceId publicIpv6 sshKeys;
  partitionTableType = c.hcloud.image.partitionTableType;
  hostName = c.networking.hostName;
  rootKeys = c.users.users.root.openssh.authorizedKeys.keys;
  public = c.systemd.network.networks."10-hcloud-public" or null;
  grub = c.boot.loader.grub;
  boot = c.fileSystems."/boot" or null;
  failedAssertions = map (a: a.message) (lib.filter (a: !a.assertion) c.assertions);
}
