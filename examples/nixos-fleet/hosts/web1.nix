# web1: an x86 web server (a cx22 in drover.yaml).
{ config, lib, pkgs, ... }:
{
  services.nginx.enable = true;
  services.nginx.virtualHosts.default.locations."/".return = "200 'web1 on ${toString config.hcloud.region}\\n'";
  networking.firewall.allowedTCPPorts = [ 22 80 ];
  # The image does not start nginx; the converge at first boot does (an example of a service that would read secrets).
  drover.bootstrap.deferredServices = [ "nginx" ];
  system.stateVersion = "20.09";
}
