# config.hcloud.*: the server's Hetzner Cloud metadata, as jktr's Packer images export it, plus the disk layout of
# the images Drover builds (drover.lib.hcloudImage).
#
# drover-agent writes the metadata service's document to /etc/hcloud-metadata.json at first boot. When nixos-rebuild
# evaluates impurely on the server (`nixos-rebuild switch --flake REF#HOST --impure`, as nix-dabei does), this module
# reads that file: config.hcloud.{hostname, instanceId, publicIpv4, publicIpv6, privateNetworks, sshKeys, region,
# availabilityZone, userdata} carry the real values, and networking.hostName, root's authorized keys and
# systemd-networkd (IPv6 address and gateway from the metadata, IPv4 by DHCP, private networks by DHCP) follow them,
# each with mkDefault so that a configuration can override it. A pure evaluation (an image build, `nix flake check`,
# `nixos-rebuild` without --impure) cannot read files outside the store: every value is then null or empty and the
# configuration still evaluates.
{ config, lib, pkgs, ... }:

let
  cfg = config.hcloud;
  inherit (lib) mkOption mkDefault mkIf types;

  # builtins.currentSystem exists only in impure evaluations; reading /etc is allowed only there.
  impure = builtins ? currentSystem;
  fromEnv = if impure then builtins.getEnv "HCLOUD_METADATA_FILE" else "";
  metadataPath = if fromEnv != "" then fromEnv else "/etc/hcloud-metadata.json";
  userdataPath = "/etc/hcloud-userdata";
  readable = path: impure && builtins.pathExists path;

  metadata = if readable cfg.metadataFile then builtins.fromJSON (builtins.readFile cfg.metadataFile) else { };
  field = name: metadata.${name} or null;
  asString = v: if v == null then null else toString v;

  # network-config (cloud-init network config v1): the physical interface and its static IPv6 subnet.
  interfaces = lib.filter (i: (i.type or "") == "physical") ((metadata."network-config" or { }).config or [ ]);
  publicInterface = if interfaces == [ ] then null else lib.head interfaces;
  staticV6 = lib.filter (s: (s.type or "") == "static" && lib.hasInfix ":" (s.address or ""))
    (if publicInterface == null then [ ] else publicInterface.subnets or [ ]);
  ipv6Subnet = if staticV6 == [ ] then null else lib.head staticV6;

  privateNetwork = types.submodule {
    options = {
      ip = mkOption { type = types.nullOr types.str; default = null; description = "The server's address in the network."; };
      aliasIps = mkOption { type = types.listOf types.str; default = [ ]; description = "Alias addresses."; };
      macAddress = mkOption { type = types.str; description = "MAC address of the interface (matched by systemd-networkd)."; };
      networkId = mkOption { type = types.nullOr types.int; default = null; description = "The network's id."; };
      networkName = mkOption { type = types.nullOr types.str; default = null; description = "The network's name."; };
      network = mkOption { type = types.nullOr types.str; default = null; description = "The network's range (CIDR)."; };
      subnet = mkOption { type = types.nullOr types.str; default = null; description = "The subnet's range (CIDR)."; };
      gateway = mkOption { type = types.nullOr types.str; default = null; description = "The subnet's gateway."; };
    };
  };
  privateNetworksFromMetadata = map (n: {
    ip = n.ip or null;
    aliasIps = n.alias_ips or [ ];
    macAddress = n.mac_address;
    networkId = n.network_id or null;
    networkName = n.network_name or null;
    network = n.network or null;
    subnet = n.subnet or null;
    gateway = n.gateway or null;
  }) (lib.filter (n: n ? mac_address) (metadata."private-networks" or [ ]));

  nullOrStr = description: mkOption { type = types.nullOr types.str; default = null; inherit description; };
  fromFile = name: description: (nullOrStr description) // { default = asString (field name); };

  # The disk layout make-disk-image can make with the nixpkgs in use: "hybrid" (GPT with a BIOS boot partition and
  # an ESP, booting under BIOS and UEFI) exists in NixOS 23.05 and later; 20.09 knows "legacy" | "efi" | "none".
  makeDiskImage = pkgs.path + "/nixos/lib/make-disk-image.nix";
  hasHybrid = lib.hasInfix "\"hybrid\"" (builtins.readFile makeDiskImage);
  isAarch64 = pkgs.stdenv.hostPlatform.isAarch64;
  efi = cfg.image.partitionTableType != "legacy";
in
{
  options.hcloud = {
    metadataFile = mkOption {
      type = types.str;
      default = metadataPath;
      description = ''
        The metadata document drover-agent writes at first boot. Read only in impure evaluations; the environment
        variable HCLOUD_METADATA_FILE points an impure evaluation at another copy (a saved document, a test).
      '';
    };

    hostname = fromFile "hostname" "The server's name (the metadata's hostname); null without metadata.";
    instanceId = mkOption {
      type = types.nullOr types.int;
      default = let id = field "instance-id"; in if id == null then null else if builtins.isInt id then id else lib.toInt id;
      description = "The server's id (the metadata's instance-id); null without metadata.";
    };
    publicIpv4 = fromFile "public-ipv4" "The primary IPv4 address; null without metadata or without one.";
    publicIpv6 = mkOption {
      type = types.nullOr types.str;
      default = if ipv6Subnet == null then null else ipv6Subnet.address;
      example = "2a01:4f8:c17:1234::1/64";
      description = "The server's IPv6 address with its prefix length (from network-config); null without metadata.";
    };
    publicIpv6Gateway = mkOption {
      type = types.nullOr types.str;
      default = if ipv6Subnet == null then null else ipv6Subnet.gateway or null;
      description = "The IPv6 gateway (fe80::1 on Hetzner Cloud); null without metadata.";
    };
    publicMacAddress = mkOption {
      type = types.nullOr types.str;
      default = if publicInterface == null then null else publicInterface.mac_address or null;
      description = "MAC address of the public interface; null without metadata.";
    };
    privateNetworks = mkOption {
      type = types.listOf privateNetwork;
      default = privateNetworksFromMetadata;
      description = "The private networks the server is attached to; empty without metadata.";
    };
    sshKeys = mkOption {
      type = types.listOf types.str;
      default = metadata."public-keys" or [ ];
      description = "The SSH public keys the server was created with; empty without metadata.";
    };
    region = fromFile "region" "The network zone, e.g. eu-central; null without metadata.";
    availabilityZone = fromFile "availability-zone" "The datacenter, e.g. fsn1-dc14; null without metadata.";
    userdata = mkOption {
      type = types.nullOr types.str;
      default = if readable userdataPath then builtins.readFile userdataPath else null;
      description = "The server's user-data (/etc/hcloud-userdata, written by drover-agent); null without it.";
    };

    image.partitionTableType = mkOption {
      type = types.enum [ "legacy" "efi" "hybrid" ];
      default = if isAarch64 then "efi" else if hasHybrid then "hybrid" else "legacy";
      defaultText = ''"efi" on aarch64; "hybrid" where make-disk-image has it, else "legacy"'';
      description = ''
        The disk layout of the image: Hetzner's arm64 servers boot UEFI only; x86 servers boot BIOS, and a hybrid
        disk boots under both.
      '';
    };
  };

  config = lib.mkMerge [
    {
      # The image's root file system, grown to the server's disk at first boot.
      fileSystems."/" = {
        device = mkDefault "/dev/disk/by-label/nixos";
        fsType = mkDefault "ext4";
        autoResize = mkDefault true;
      };
      boot.growPartition = mkDefault true;
      boot.loader.grub = {
        # make-disk-image's build VM links /dev/sda to its disk, and Hetzner's servers see theirs as /dev/sda.
        device = mkDefault (if cfg.image.partitionTableType == "efi" then "nodev" else "/dev/sda");
        efiSupport = mkDefault efi;
        efiInstallAsRemovable = mkDefault efi;
      };
      fileSystems."/boot" = mkIf efi { device = mkDefault "/dev/disk/by-label/ESP"; fsType = mkDefault "vfat"; };
      # Hetzner's virtual disks and NICs, and the serial console the local cloud and Hetzner's console read.
      boot.initrd.availableKernelModules = [ "virtio_pci" "virtio_scsi" "virtio_blk" "virtio_net" "sd_mod" "sr_mod" "ahci" ];
      boot.kernelParams = [ "console=tty0" "console=${if isAarch64 then "ttyAMA0" else "ttyS0"},115200" ];
    }

    (mkIf (cfg.hostname != null) { networking.hostName = mkDefault cfg.hostname; })
    (mkIf (cfg.sshKeys != [ ]) { users.users.root.openssh.authorizedKeys.keys = mkDefault cfg.sshKeys; })

    (mkIf (cfg.publicMacAddress != null) {
      networking.useNetworkd = mkDefault true;
      networking.useDHCP = mkDefault false;
      systemd.network.enable = mkDefault true;
      # Each value with mkDefault of its own (a mkDefault on the whole unit would lose to any definition of the unit).
      systemd.network.networks."10-hcloud-public" = {
        matchConfig.MACAddress = mkDefault cfg.publicMacAddress;
        networkConfig.DHCP = mkDefault "ipv4";
        address = mkDefault (lib.optional (cfg.publicIpv6 != null) cfg.publicIpv6);
        # fe80::1 is link-local, so it needs no on-link route of its own (Hetzner's own networkd example).
        gateway = mkDefault (lib.optional (cfg.publicIpv6Gateway != null) cfg.publicIpv6Gateway);
      };
    })

    {
      systemd.network.networks = lib.listToAttrs (lib.imap0 (index: n: lib.nameValuePair
        "20-hcloud-private-${toString (if n.networkId != null then n.networkId else index)}"
        { matchConfig.MACAddress = mkDefault n.macAddress; networkConfig.DHCP = mkDefault "ipv4"; })
        cfg.privateNetworks);
    }
  ];
}
