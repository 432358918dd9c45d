{
  description = "Drover: NixOS modules and image functions for Hetzner Cloud hosts (drover-agent, config.hcloud.*, raw disk images)";

  # Any nixpkgs from NixOS 20.09 on: the modules guard the options that are newer (see nix/modules/*.nix).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

  outputs = { self, nixpkgs }:
    let
      modules = {
        drover-agent = import ./nix/modules/drover-agent.nix;
        hcloud = import ./nix/modules/hcloud.nix;
        bootstrap = import ./nix/modules/bootstrap.nix;
      };
    in
    {
      nixosModules = modules // {
        # All three: a host of a Drover fleet imports this one.
        default = { imports = [ modules.drover-agent modules.hcloud modules.bootstrap ]; };
      };

      lib = import ./nix/lib.nix { inherit modules; };
    };
}
