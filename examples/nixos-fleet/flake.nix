{
  description = "A Drover fleet of two NixOS hosts on Hetzner Cloud";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
    drover.url = "path:../..";                       # in your own fleet: the Drover repository's flake
    drover.inputs.nixpkgs.follows = "nixpkgs";
    # The agent's published binaries; `drover image build --builder nix` passes them in (--override-input).
    drover-agent = { url = "path:./agent"; flake = false; };
  };

  outputs = { self, nixpkgs, drover, drover-agent }:
    let
      lib = nixpkgs.lib;
      # Each host: its module and its Nix system (x86_64-linux for cx/cpx/ccx servers, aarch64-linux for cax).
      hosts = {
        web1 = { module = ./hosts/web1.nix; system = "x86_64-linux"; };
        web2 = { module = ./hosts/web2.nix; system = "aarch64-linux"; };
      };
      common = { pkgs, ... }: {
        imports = [ drover.nixosModules.default ];
        services.drover-agent.enable = true;
        services.drover-agent.package = drover.lib.agentPackage { inherit pkgs; binaries = drover-agent; };
      };
      configuration = name: host: lib.nixosSystem {
        inherit (host) system;
        # The host name is not set here: it comes from the metadata (config.hcloud.hostname) when the host converges.
        modules = [ common host.module ];
      };
      imageOf = name: drover.lib.hcloudImage { nixosConfiguration = self.nixosConfigurations.${name}; };
    in
    {
      nixosConfigurations = lib.mapAttrs configuration hosts;

      # packages.SYSTEM."HOST-image": what `drover image build --builder nix --host HOST` builds.
      packages = lib.foldl' lib.recursiveUpdate { } (lib.mapAttrsToList
        (name: host: { ${host.system}."${name}-image" = imageOf name; })
        hosts);
    };
}
