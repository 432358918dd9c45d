# A test flake for Drover's Nix tests: hosts that override the hcloud module's defaults, a user's module with a type
# error, one with a failed assertion, and a "fake" image built by a raw derivation from a disk the test made.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";
  inputs.drover.url = "path:../drover";
  inputs.drover.inputs.nixpkgs.follows = "nixpkgs";

  outputs = { self, nixpkgs, drover }:
    let
      lib = nixpkgs.lib;
      base = { pkgs, ... }: {
        imports = [ drover.nixosModules.default ];
        services.drover-agent.enable = true;
        services.drover-agent.package = drover.lib.agentPackage { inherit pkgs; binaries = ./agent; };
        system.stateVersion = "20.09";
      };
      host = modules: lib.nixosSystem { system = "x86_64-linux"; modules = [ base ] ++ modules; };
      image = name: drover.lib.hcloudImage { nixosConfiguration = self.nixosConfigurations.${name}; };
    in
    {
      nixosConfigurations = {
        plain = host [ ];
        overridden = host [ ./overridden.nix ];
        bad-type = host [ ./bad-type.nix ];
        bad-assertion = host [ ./bad-assertion.nix ];
        fake = host [ ];
      };
      packages.x86_64-linux = {
        bad-type-image = image "bad-type";
        bad-assertion-image = image "bad-assertion";
        # What a real build leaves: a store path with nixos.img in it. Built with the host's /bin/sh (no nixpkgs).
        fake-image = builtins.derivation {
          name = "fake-hcloud-image";
          system = "x86_64-linux";
          builder = "/bin/sh";
          args = [ "-c" "/bin/mkdir $out && /bin/cp --sparse=always ${./disk.raw} $out/nixos.img" ];
        };
      };
    };
}
