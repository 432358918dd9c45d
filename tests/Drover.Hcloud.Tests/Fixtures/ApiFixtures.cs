using System.Text.Json.Nodes;

namespace Drover.Hcloud.Tests.Fixtures;

/// <summary>
/// Raw JSON shaped like the API documentation's examples (hcloud-api.md §3.1, generated from the spec's
/// <c>example</c> values). Values are illustrative, not consistent with each other.
/// </summary>
internal static class ApiFixtures
{
    public const string Location = """
        {
          "id": 42,
          "name": "fsn1",
          "description": "Falkenstein DC Park 1",
          "country": "DE",
          "city": "Falkenstein",
          "latitude": 50.47612,
          "longitude": 12.370071,
          "network_zone": "eu-central"
        }
        """;

    public const string Datacenter = $$"""
        {
          "id": 42,
          "name": "fsn1-dc8",
          "description": "Falkenstein DC Park 8",
          "location": {{Location}},
          "server_types": {"supported": [1, 2, 3], "available": [1, 2, 3], "available_for_migration": [1, 2, 3]}
        }
        """;

    public const string ServerType = """
        {
          "id": 1,
          "name": "cpx22",
          "description": "CPX22",
          "cores": 2,
          "memory": 4,
          "disk": 80,
          "deprecated": false,
          "prices": [
            {
              "location": "fsn1",
              "price_hourly": {"net": "1.0000", "gross": "1.1900"},
              "price_monthly": {"net": "1.0000", "gross": "1.1900"},
              "included_traffic": 654321,
              "price_per_tb_traffic": {"net": "1.0000", "gross": "1.1900"}
            }
          ],
          "storage_type": "local",
          "cpu_type": "shared",
          "category": "Shared vCPU",
          "architecture": "x86",
          "deprecation": {"unavailable_after": "2023-09-01T00:00:00Z", "announced": "2023-06-01T00:00:00Z"},
          "locations": [
            {
              "id": 42,
              "name": "fsn1",
              "deprecation": {"unavailable_after": "2023-09-01T00:00:00Z", "announced": "2023-06-01T00:00:00Z"},
              "recommended": false,
              "available": true
            }
          ]
        }
        """;

    public const string Image = """
        {
          "id": 42,
          "type": "snapshot",
          "status": "available",
          "name": "ubuntu-24.04",
          "description": "Ubuntu 24.04 Standard 64 bit",
          "image_size": 2.3,
          "disk_size": 10,
          "created": "2016-01-30T23:55:00Z",
          "created_from": {"id": 1, "name": "Server"},
          "bound_to": null,
          "os_flavor": "ubuntu",
          "os_version": "24.04",
          "rapid_deploy": false,
          "protection": {"delete": false},
          "deprecated": "2018-02-28T00:00:00Z",
          "deleted": null,
          "labels": {"environment": "prod", "example.com/my": "label", "just-a-key": ""},
          "architecture": "x86"
        }
        """;

    /// <summary>A snapshot as the API lists it: no name, identified by its description.</summary>
    public const string Snapshot = """
        {
          "id": 4711,
          "type": "snapshot",
          "status": "creating",
          "name": null,
          "description": "drover-base-2026-01-01",
          "image_size": null,
          "disk_size": 20,
          "created": "2026-01-01T00:00:00+00:00",
          "created_from": {"id": 42, "name": "builder"},
          "bound_to": null,
          "os_flavor": "debian",
          "os_version": null,
          "rapid_deploy": false,
          "protection": {"delete": true},
          "deprecated": null,
          "deleted": null,
          "labels": {},
          "architecture": "arm"
        }
        """;

    public const string Server = $$"""
        {
          "id": 42,
          "name": "my-resource",
          "status": "running",
          "created": "2016-01-30T23:55:00Z",
          "public_net": {
            "ipv4": {"id": 42, "ip": "1.2.3.4", "blocked": false, "dns_ptr": "server01.example.com"},
            "ipv6": {
              "id": 42,
              "ip": "2001:db8::/64",
              "blocked": false,
              "dns_ptr": [{"ip": "2001:db8::1", "dns_ptr": "server.example.com"}]
            },
            "floating_ips": [478],
            "firewalls": [{"id": 42, "status": "applied"}]
          },
          "private_net": [
            {
              "network": 4711,
              "ip": "10.0.0.2",
              "alias_ips": ["10.0.0.3", "10.0.0.4"],
              "mac_address": "86:00:ff:2a:7d:e1"
            }
          ],
          "server_type": {{ServerType}},
          "datacenter": {{Datacenter}},
          "location": {{Location}},
          "image": {{Image}},
          "iso": {
            "id": 42,
            "name": "FreeBSD-11.0-RELEASE-amd64-dvd1",
            "description": "FreeBSD 11.0 x64",
            "type": "public",
            "deprecation": {"unavailable_after": "2023-09-01T00:00:00Z", "announced": "2023-06-01T00:00:00Z"},
            "architecture": "x86"
          },
          "rescue_enabled": false,
          "locked": false,
          "backup_window": "22-02",
          "outgoing_traffic": 123456,
          "ingoing_traffic": 123456,
          "included_traffic": 654321,
          "protection": {"delete": false, "rebuild": false},
          "labels": {"environment": "prod", "example.com/my": "label", "just-a-key": ""},
          "volumes": [0],
          "load_balancers": [0],
          "primary_disk_size": 50,
          "placement_group": {
            "id": 42,
            "name": "my-resource",
            "labels": {"environment": "prod", "example.com/my": "label", "just-a-key": ""},
            "type": "spread",
            "created": "2016-01-30T23:55:00Z",
            "servers": [42]
          }
        }
        """;

    public const string Action = """
        {
          "id": 42,
          "command": "start_resource",
          "status": "running",
          "started": "2016-01-30T23:55:00Z",
          "finished": "2016-01-30T23:55:00Z",
          "progress": 100,
          "resources": [{"id": 42, "type": "server"}],
          "error": {"code": "action_failed", "message": "Action failed"}
        }
        """;

    public const string SshKey = """
        {
          "id": 42,
          "name": "my-resource",
          "fingerprint": "b7:2f:30:a0:2f:6c:58:6c:21:04:58:61:ba:06:3b:2f",
          "public_key": "ssh-rsa AAAjjk76kgf...Xt",
          "labels": {"environment": "prod", "example.com/my": "label", "just-a-key": ""},
          "created": "2016-01-30T23:55:00Z"
        }
        """;

    public const string Network = """
        {
          "id": 4711,
          "name": "mynet",
          "ip_range": "10.0.0.0/16",
          "subnets": [
            {"type": "cloud", "ip_range": "10.0.1.0/24", "network_zone": "eu-central", "gateway": "10.0.0.1", "vswitch_id": 1000}
          ],
          "routes": [{"destination": "10.100.1.0/24", "gateway": "10.0.1.1"}],
          "servers": [42],
          "load_balancers": [42],
          "protection": {"delete": false},
          "labels": {"environment": "prod", "example.com/my": "label", "just-a-key": ""},
          "created": "2016-01-30T23:55:00Z",
          "expose_routes_to_vswitch": false
        }
        """;

    public const string Firewall = """
        {
          "id": 42,
          "name": "new-name",
          "labels": {"environment": "prod", "example.com/my": "label", "just-a-key": ""},
          "created": "2016-01-30T23:55:00Z",
          "rules": [
            {
              "description": null,
              "direction": "in",
              "source_ips": ["192.0.2.2/32", "192.0.2.0/24", "2001:0db8:9a3b:ee58:5ca:990c:8bc9:c03b/128"],
              "destination_ips": [],
              "protocol": "tcp",
              "port": "80"
            }
          ],
          "applied_to": [
            {
              "type": "server",
              "server": {"id": 42},
              "label_selector": {"selector": "env=prod"},
              "applied_to_resources": [{"type": "server", "server": {"id": 42}}]
            }
          ]
        }
        """;

    public const string Volume = $$"""
        {
          "id": 42,
          "created": "2016-01-30T23:55:00Z",
          "name": "my-resource",
          "server": 12,
          "location": {{Location}},
          "size": 42,
          "linux_device": "/dev/disk/by-id/scsi-0HC_Volume_4711",
          "protection": {"delete": false},
          "labels": {"environment": "prod", "example.com/my": "label", "just-a-key": ""},
          "status": "available",
          "format": "xfs"
        }
        """;

    public const string Meta = """
        {
          "pagination": {"page": 3, "per_page": 25, "previous_page": 2, "next_page": 4, "last_page": 4, "total_entries": 100}
        }
        """;

    public const string InvalidInputError = """
        {
          "error": {
            "code": "invalid_input",
            "message": "invalid input in field 'broken_field': is too long",
            "details": {
              "fields": [{"name": "broken_field", "messages": ["is too long"]}]
            }
          }
        }
        """;

    /// <summary>A list response body: <c>{"&lt;key&gt;": [items], "meta": {...}}</c> for page <paramref name="page"/> of <paramref name="lastPage"/>.</summary>
    public static string ListPage(string key, int page, int lastPage, int perPage, params string[] items)
    {
        var next = page < lastPage ? (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "null";
        var previous = page > 1 ? (page - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "null";
        return $$"""
            {
              "{{key}}": [{{string.Join(",", items)}}],
              "meta": {"pagination": {"page": {{page}}, "per_page": {{perPage}}, "previous_page": {{previous}}, "next_page": {{next}}, "last_page": {{lastPage}}, "total_entries": null} }
            }
            """;
    }

    /// <summary>An action with the given ID and status (and error when the status is <c>error</c>).</summary>
    public static string ActionWith(long id, string status, int progress = 0, string command = "create_server")
    {
        var finished = status == "running" ? "null" : "\"2026-01-01T00:01:00Z\"";
        var error = status == "error" ? """{"code": "action_failed", "message": "Action failed"}""" : "null";
        return $$"""
            {
              "id": {{id}},
              "command": "{{command}}",
              "status": "{{status}}",
              "progress": {{progress}},
              "started": "2026-01-01T00:00:00Z",
              "finished": {{finished}},
              "resources": [{"id": 42, "type": "server"}],
              "error": {{error}}
            }
            """;
    }

    /// <summary>The documentation's server with another ID and name.</summary>
    public static string ServerWith(long id, string name)
    {
        var server = JsonNode.Parse(Server)!;
        server["id"] = id;
        server["name"] = name;
        return server.ToJsonString();
    }
}
