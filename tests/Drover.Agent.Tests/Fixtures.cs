namespace Drover.Agent.Tests;

/// <summary>Realistic metadata documents (reference §5) and user-data variants.</summary>
internal static class Fixtures
{
    public const string Key1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0000000000000000000000000000000000000000000 user@workstation";
    public const string Key2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB1111111111111111111111111111111111111111111 ci@runner";
    public const string PublicMac = "96:00:00:08:19:da";
    public const string PrivateMac1 = "86:00:00:2a:7d:e0";
    public const string PrivateMac2 = "86:00:00:2a:7d:e1";

    public const string Metadata = $"""
        availability-zone: fsn1-dc14
        hostname: web1
        instance-id: 42
        local-ipv4: ''
        network-config:
          config:
          - mac_address: {PublicMac}
            name: eth0
            subnets:
            - dns_nameservers:
              - 185.12.64.1
              - 185.12.64.2
              ipv4: true
              type: dhcp
            - address: 2a01:4f8:c012:abcd::1/64
              dns_nameservers:
              - 2a01:4ff:ff00::add:2
              - 2a01:4ff:ff00::add:1
              gateway: fe80::1
              ipv6: true
              type: static
            type: physical
          version: 1
        public-ipv4: 203.0.113.10
        public-keys:
        - {Key1}
        - {Key2}
        region: eu-central
        vendor_data: "Content-Type: multipart/mixed; boundary=\"===============0123456789==\"\nMIME-Version: 1.0\n\n--===============0123456789==\nContent-Type: text/cloud-config; charset=\"us-ascii\"\nMIME-Version: 1.0\n\n#cloud-config\nmanage_etc_hosts: true\n\n--===============0123456789==--\n"
        """;

    public const string PrivateNetworks = $"""
        - ip: 10.0.0.2
          alias_ips: [10.0.0.3, 10.0.0.4]
          interface_num: 1
          mac_address: {PrivateMac1}
          network_id: 1234
          network_name: nw-test1
          network: 10.0.0.0/8
          subnet: 10.0.0.0/24
          gateway: 10.0.0.1
        - ip: 192.168.5.7
          alias_ips: []
          interface_num: 2
          mac_address: {PrivateMac2}
          network_id: 5678
          network_name: nw-test2
          network: 192.168.0.0/16
          subnet: 192.168.5.0/24
          gateway: 192.168.0.1
        """;

    /// <summary>A cloud-config with the agent's own mapping; the converge command counts its runs in the root.</summary>
    public const string DroverUserData = """
        #cloud-config
        hostname: ignored-by-the-agent
        drover:
          flake: github:example/infra
          converge: echo "converge for $DROVER_HOSTNAME $DROVER_INSTANCE_ID $DROVER_FLAKE" >> "$DROVER_ROOT/converge.log"; echo converging; echo to-stderr >&2
        """;
}
