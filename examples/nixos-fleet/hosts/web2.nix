# web2: an arm64 host (a cax11 in drover.yaml), UEFI only.
{ ... }:
{
  services.openssh.enable = true;
  networking.firewall.allowedTCPPorts = [ 22 ];
  system.stateVersion = "20.09";
}
