# Drover's Nix functions, exported by flake.nix as drover.lib.
{ modules }:

rec {
  # The host's configuration again, with more modules: extendModules where NixOS has it (21.11 and later); on older
  # NixOS the modules eval-config was given (it keeps them in extraArgs.modules) are evaluated once more.
  extendConfiguration = nixosConfiguration: extra:
    if nixosConfiguration ? extendModules then
      nixosConfiguration.extendModules { modules = extra; }
    else
      import (nixosConfiguration.pkgs.path + "/nixos/lib/eval-config.nix") {
        system = nixosConfiguration.pkgs.stdenv.hostPlatform.system;
        modules = nixosConfiguration.extraArgs.modules ++ extra;
      };

  # A host's raw disk image, as `drover image build --builder nix --host HOST` builds it from the flake output
  # packages.SYSTEM."HOST-image":
  #   packages.x86_64-linux.web1-image = drover.lib.hcloudImage { nixosConfiguration = self.nixosConfigurations.web1; };
  # The host must import drover.nixosModules.default (hcloud: disk layout, growing root; drover-agent; bootstrap).
  # The image is the host in its bootstrap profile (no secrets, nothing secret-consuming started; see
  # nix/modules/bootstrap.nix): BIOS boot on x86_64 (a hybrid BIOS+UEFI disk where make-disk-image can make one),
  # UEFI on aarch64.
  hcloudImage = { nixosConfiguration, diskSize ? null, format ? "raw", extraModules ? [ ] }:
    let
      image = extendConfiguration nixosConfiguration ([ { drover.bootstrap.enable = true; } ] ++ extraModules);
      inherit (image) config pkgs;
      lib = pkgs.lib;
      makeDiskImage = pkgs.path + "/nixos/lib/make-disk-image.nix";
      # "auto" (the size the closure needs) is known to make-disk-image since NixOS 21.05; 20.09 needs MiB.
      hasAutoSize = lib.hasInfix "\"auto\"" (builtins.readFile makeDiskImage);
      size = if diskSize != null then diskSize else if hasAutoSize then "auto" else 4096;
    in
    assert lib.assertMsg (config ? hcloud && config.hcloud ? image)
      "drover.lib.hcloudImage: the host does not import drover.nixosModules.hcloud (or drover.nixosModules.default)";
    import makeDiskImage {
      inherit config pkgs lib format;
      name = "${if config.networking.hostName != "" then config.networking.hostName else "nixos"}-hcloud-image";
      diskSize = size;
      partitionTableType = config.hcloud.image.partitionTableType;
      label = "nixos";
    };

  # drover-agent as a package, from a directory of published binaries: DIR/x86_64-linux/drover-agent and
  # DIR/aarch64-linux/drover-agent (scripts/publish-agent; `drover image build --builder nix` puts them there and
  # passes the directory as the flake input drover-agent). A missing binary fails the build, not the evaluation.
  agentPackage = { pkgs, binaries }:
    let
      system = pkgs.stdenv.hostPlatform.system;
      binary = "${binaries}/${system}/drover-agent";
    in
    pkgs.runCommand "drover-agent" { meta.platforms = [ "x86_64-linux" "aarch64-linux" ]; } ''
      if [ ! -f ${binary} ]; then
        echo "drover-agent: no ${system}/drover-agent in ${binaries}: build the image with 'drover image build --builder nix', which supplies it, or put scripts/publish-agent's output there" >&2
        exit 1
      fi
      install -Dm755 ${binary} $out/bin/drover-agent
    '';
}
