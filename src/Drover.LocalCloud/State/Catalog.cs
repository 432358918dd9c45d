using System.Globalization;
using Drover.Hcloud.Contracts;

namespace Drover.LocalCloud.State;

/// <summary>The fixed catalog: locations, datacenters, server types (x86 and arm) and the system images.</summary>
public sealed class Catalog
{
    private static readonly DateTimeOffset _epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public Catalog()
    {
        Locations =
        [
            Loc(1, "fsn1", "Falkenstein DC Park 1", "DE", "Falkenstein", 50.47612, 12.370071, "eu-central"),
            Loc(2, "nbg1", "Nuremberg DC Park 1", "DE", "Nuremberg", 49.452102, 11.076665, "eu-central"),
            Loc(3, "hel1", "Helsinki DC Park 1", "FI", "Helsinki", 60.169855, 24.938379, "eu-central"),
            Loc(4, "ash", "Ashburn, VA", "US", "Ashburn, VA", 39.045821, -77.487073, "us-east"),
            Loc(5, "hil", "Hillsboro, OR", "US", "Hillsboro, OR", 45.54222, -122.951924, "us-west"),
            Loc(6, "sin", "Singapore", "SG", "Singapore", 1.283333, 103.833333, "ap-southeast"),
        ];
        string[] eu = ["fsn1", "nbg1", "hel1"];
        string[] all = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"];
        ServerTypes =
        [
            Type(1, "cx23", 2, 4, 40, "shared", "Cost-Optimized", Architecture.X86, 0.0056, 3.49, eu),
            Type(2, "cx33", 4, 8, 80, "shared", "Cost-Optimized", Architecture.X86, 0.0088, 5.49, eu),
            Type(3, "cx43", 8, 16, 160, "shared", "Cost-Optimized", Architecture.X86, 0.0152, 9.49, eu),
            Type(4, "cx53", 16, 32, 320, "shared", "Cost-Optimized", Architecture.X86, 0.0280, 17.49, eu),
            Type(5, "cpx22", 2, 4, 80, "shared", "Regular Purpose", Architecture.X86, 0.0128, 7.99, all),
            Type(6, "cpx32", 4, 8, 160, "shared", "Regular Purpose", Architecture.X86, 0.0224, 13.99, all),
            Type(7, "cpx42", 8, 16, 320, "shared", "Regular Purpose", Architecture.X86, 0.0400, 24.99, all),
            Type(8, "cpx62", 16, 32, 640, "shared", "Regular Purpose", Architecture.X86, 0.0768, 47.99, all),
            Type(9, "ccx13", 2, 8, 80, "dedicated", "General Purpose", Architecture.X86, 0.0224, 13.99, all),
            Type(10, "ccx23", 4, 16, 160, "dedicated", "General Purpose", Architecture.X86, 0.0448, 27.99, all),
            Type(11, "ccx33", 8, 32, 240, "dedicated", "General Purpose", Architecture.X86, 0.0896, 55.99, all),
            Type(12, "cax11", 2, 4, 40, "shared", "Cost-Optimized", Architecture.Arm, 0.0064, 3.99, eu),
            Type(13, "cax21", 4, 8, 80, "shared", "Cost-Optimized", Architecture.Arm, 0.0112, 6.99, eu),
            Type(14, "cax31", 8, 16, 160, "shared", "Cost-Optimized", Architecture.Arm, 0.0224, 13.99, eu),
            Type(15, "cax41", 16, 32, 320, "shared", "Cost-Optimized", Architecture.Arm, 0.0448, 27.99, eu),
        ];
        string[] dcNames = ["fsn1-dc14", "nbg1-dc3", "hel1-dc2", "ash-dc1", "hil-dc1", "sin-dc1"];
        Datacenters = [.. Locations.Select((l, i) => new Datacenter
        {
            Id = i + 1,
            Name = dcNames[i],
            Description = $"{l.City} {(i < 3 ? "DC Park 1" : "DC 1")}",
            Location = l,
            ServerTypes = new DatacenterServerTypes
            {
                Supported = [.. ServerTypes.Where(t => t.Locations.Any(x => x.Name == l.Name)).Select(t => t.Id)],
                Available = [.. ServerTypes.Where(t => t.Locations.Any(x => x.Name == l.Name)).Select(t => t.Id)],
                AvailableForMigration = [.. ServerTypes.Where(t => t.Locations.Any(x => x.Name == l.Name)).Select(t => t.Id)],
            },
        })];
    }

    public IReadOnlyList<Location> Locations { get; }
    public IReadOnlyList<ServerType> ServerTypes { get; }
    public IReadOnlyList<Datacenter> Datacenters { get; }

    public Location? FindLocation(string nameOrId)
        => Locations.FirstOrDefault(l => l.Name == nameOrId || l.Id.ToString(CultureInfo.InvariantCulture) == nameOrId);

    public ServerType? FindServerType(IdOrName reference)
        => ServerTypes.FirstOrDefault(t => reference.Id is { } id ? t.Id == id : t.Name == reference.Name);

    public Datacenter DatacenterOf(Location location) => Datacenters.First(d => d.Location.Id == location.Id);

    /// <summary>The system images a fresh cloud starts with: each OS for x86 and for arm.</summary>
    public static IEnumerable<Image> SystemImages(Func<long> nextId)
    {
        (string Name, string Flavor, string Version, string Description, DateTimeOffset? Deprecated)[] systems =
        [
            ("ubuntu-20.04", "ubuntu", "20.04", "Ubuntu 20.04", _epoch.AddMonths(17)),
            ("ubuntu-22.04", "ubuntu", "22.04", "Ubuntu 22.04", null),
            ("ubuntu-24.04", "ubuntu", "24.04", "Ubuntu 24.04", null),
            ("debian-12", "debian", "12", "Debian 12", null),
            ("debian-13", "debian", "13", "Debian 13", null),
        ];
        foreach (var arch in new[] { Architecture.X86, Architecture.Arm })
        {
            foreach (var s in systems)
            {
                yield return new Image
                {
                    Id = nextId(),
                    Type = ImageType.System,
                    Status = ImageStatus.Available,
                    Name = s.Name,
                    Description = s.Description,
                    ImageSize = null,
                    DiskSize = 5,
                    Created = _epoch,
                    CreatedFrom = null,
                    BoundTo = null,
                    OsFlavor = s.Flavor,
                    OsVersion = s.Version,
                    RapidDeploy = true,
                    Deprecated = s.Deprecated,
                    Architecture = arch,
                };
            }
        }
    }

    private static Location Loc(long id, string name, string description, string country, string city, double lat, double lon, string zone)
        => new() { Id = id, Name = name, Description = description, Country = country, City = city, Latitude = lat, Longitude = lon, NetworkZone = zone };

    private ServerType Type(long id, string name, int cores, double memory, int disk, string cpu, string category,
        Architecture arch, double hourly, double monthly, string[] at)
    {
        static Price P(double net) => new()
        {
            Net = net.ToString("0.0000", CultureInfo.InvariantCulture),
            Gross = (net * 1.19).ToString("0.0000", CultureInfo.InvariantCulture),
        };
        return new ServerType
        {
            Id = id,
            Name = name,
            Description = name.ToUpperInvariant(),
            Cores = cores,
            Memory = memory,
            Disk = disk,
            StorageType = "local",
            CpuType = cpu,
            Category = category,
            Architecture = arch,
            Deprecation = null,
            Prices = [.. at.Select(l => new ServerTypePrice
            {
                Location = l,
                PriceHourly = P(hourly),
                PriceMonthly = P(monthly),
                IncludedTraffic = l is "fsn1" or "nbg1" or "hel1" ? 21990232555520 : 1099511627776,
                PricePerTbTraffic = P(l is "fsn1" or "nbg1" or "hel1" ? 1 : 7.4),
            })],
            Locations = [.. at.Select((l, i) => new ServerTypeLocation { Id = Locations.First(x => x.Name == l).Id, Name = l, Deprecation = null, Available = true, Recommended = i == 0 })],
        };
    }
}
