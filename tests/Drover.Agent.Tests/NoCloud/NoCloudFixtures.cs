namespace Drover.Agent.Tests.NoCloud;

/// <summary>NoCloud drives as Proxmox VE writes them (qemu-server Cloudinit.pm, reference pve-api-notes §7) and in netplan's form.</summary>
internal static class NoCloudFixtures
{
    public const string Mac0 = "bc:24:11:5e:00:01";
    public const string Mac1 = "bc:24:11:5e:00:02";
    public const string Mac2 = "bc:24:11:5e:00:03";
    public const string InstanceId = "2b5a2e2c7a3f0d1c9e8b7a6f5e4d3c2b1a0f9e8d";

    /// <summary>Proxmox's meta-data: the instance-id alone (sha1 of user-data and network-config).</summary>
    public const string ProxmoxMetaData = $"instance-id: {InstanceId}\n";

    /// <summary>Proxmox's generated user-data (no cicustom), ciuser not root: hostname, fqdn, keys, users: [default].</summary>
    public const string ProxmoxUserData = $"""
        #cloud-config
        hostname: pve-web1
        manage_etc_hosts: true
        fqdn: pve-web1.example.internal
        user: debian
        ssh_authorized_keys:
          - {Fixtures.Key1}
          - {Fixtures.Key2}
        chpasswd:
          expire: False
        users:
          - default
        package_upgrade: true

        """;

    /// <summary>Proxmox's network-config version 1 with every subnet type it writes, then the nameserver entry.</summary>
    public const string ProxmoxNetworkV1 = $"""
        version: 1
        config:
            - type: physical
              name: eth0
              mac_address: '{Mac0}'
              subnets:
              - type: static
                address: '10.0.0.5'
                netmask: '255.255.255.0'
                gateway: '10.0.0.1'
              - type: static6
                address: 'fd00::5/64'
                gateway: 'fd00::1'
            - type: physical
              name: eth1
              mac_address: '{Mac1}'
              subnets:
              - type: dhcp4
              - type: ipv6_slaac
            - type: physical
              name: eth2
              mac_address: '{Mac2}'
              subnets:
              - type: dhcp6
            - type: nameserver
              address:
              - '10.0.0.53'
              - 'fd00::53'
              search:
              - 'example.internal'

        """;

    /// <summary>Network config version 2 (netplan's form), matched by MAC, with a set-name, a static route and DHCP.</summary>
    public const string NetworkV2 = $"""
        network:
          version: 2
          ethernets:
            uplink:
              match:
                macaddress: 'BC:24:11:5E:00:01'
              set-name: lan0
              addresses: [192.168.7.20/24, 'fd00:7::20/64']
              gateway4: 192.168.7.1
              routes:
                - to: 10.20.0.0/16
                  via: 192.168.7.254
                - to: ::/0
                  via: fd00:7::1
              nameservers:
                addresses: [192.168.7.53]
                search: [lab.example]
            second:
              match:
                macaddress: '{Mac1}'
              dhcp4: true
              dhcp6: true

        """;

    /// <summary>A Drover-rendered user-data (drover mapping for the agent).</summary>
    public const string DroverUserData = """
        #cloud-config
        hostname: nc1
        manage_etc_hosts: true
        ssh_authorized_keys:
        - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2222222222222222222222222222222222222222222 drover
        drover:
          converge: echo "converge for $DROVER_HOSTNAME $DROVER_INSTANCE_ID $DROVER_SOURCE" >> "$DROVER_ROOT/converge.log"
        """;

    /// <summary>Writes a drive's files into <paramref name="directory"/> (null content: no such file).</summary>
    public static string Write(string directory, string? metaData, string? userData, string? networkConfig)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in new[] { ("meta-data", metaData), ("user-data", userData), ("network-config", networkConfig) })
        {
            var path = Path.Combine(directory, name);
            if (content is null)
            {
                File.Delete(path);
            }
            else
            {
                File.WriteAllText(path, content);
            }
        }

        return directory;
    }
}
