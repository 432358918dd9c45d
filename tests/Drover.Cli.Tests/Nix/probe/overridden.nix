# Every value the hcloud module sets with mkDefault, set by the configuration instead.
{ ... }:
{
  networking.hostName = "custom";
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOverriddenKeyOverriddenKeyOverriddenKey0 custom" ];
  systemd.network.networks."10-hcloud-public".address = [ "2001:db8::5/64" ];
  fileSystems."/".autoResize = false;
  hcloud.image.partitionTableType = "efi";
}
