using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.LocalCloud;

if (args.Length > 0 && args[0] == "bootstrap")
{
    return await Drover.Bench.BootstrapBench.RunAsync(args[1..]);
}

// bench list-snapshots [--count N] [--rounds R]
// Lists N snapshots (50 per page) from a local cloud on 127.0.0.1 through HcloudClient and, in the same process and
// against the same server, through a minimal raw-HTTP pager (the baseline). Reports requests, median times and the ratio.
var count = 1000;
var rounds = 15;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "list-snapshots": break;
        case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var options = new LocalCloudOptions { Token = LocalCloudOptions.NewToken(), ActionDuration = TimeSpan.Zero, RateLimitBudget = 1_000_000 };
var (app, endpoint) = await LocalCloudServer.StartAsync(options, 0);
try
{
    using var http = new HttpClient();
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
    using var seed = await http.PostAsync(new Uri(endpoint, "/__localcloud/seed/snapshots"),
        new StringContent($"{{\"count\":{count},\"description_prefix\":\"bench\",\"labels\":{{\"bench\":\"list\"}}}}", Encoding.UTF8, "application/json"));
    seed.EnsureSuccessStatusCode();

    var client = HcloudClient.Create(new HcloudClientOptions { Endpoint = endpoint, Token = options.Token });
    var query = new ImageListOptions { Type = [ImageType.Snapshot] };

    async Task<(int Items, long Requests)> DroverAsync()
    {
        var before = client.RequestCount;
        var n = 0;
        await foreach (var _ in client.Images.ListAsync(query))
        {
            n++;
        }
        return (n, client.RequestCount - before);
    }

    async Task<(int Items, long Requests)> BaselineAsync()
    {
        int? page = 1;
        var n = 0;
        long requests = 0;
        while (page is { } p)
        {
            var body = await http.GetStringAsync(new Uri(endpoint + $"/images?type=snapshot&page={p}&per_page=50"));
            requests++;
            using var doc = JsonDocument.Parse(body);
            n += doc.RootElement.GetProperty("images").GetArrayLength();
            var next = doc.RootElement.GetProperty("meta").GetProperty("pagination").GetProperty("next_page");
            page = next.ValueKind == JsonValueKind.Number ? next.GetInt32() : null;
        }
        return (n, requests);
    }

    // Warm up both paths (JIT, connection pool), then alternate so both see the same machine state.
    await DroverAsync();
    await BaselineAsync();
    var droverTimes = new List<double>();
    var baselineTimes = new List<double>();
    (int Items, long Requests) drover = default, baseline = default;
    for (var r = 0; r < rounds; r++)
    {
        var sw = Stopwatch.StartNew();
        drover = await DroverAsync();
        droverTimes.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        baseline = await BaselineAsync();
        baselineTimes.Add(sw.Elapsed.TotalMilliseconds);
    }
    static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    var dm = Median(droverTimes);
    var bm = Median(baselineTimes);
    if (drover.Items != count || baseline.Items != count)
    {
        Console.Error.WriteLine($"expected {count} snapshots, drover saw {drover.Items}, baseline {baseline.Items}");
        return 1;
    }
    Console.WriteLine($"list-snapshots: {count} snapshots, 50 per page, {rounds} rounds, local cloud on {endpoint.Authority}");
    Console.WriteLine($"  drover client : {drover.Requests} requests, median {dm:0.0} ms ({count / dm * 1000:0} snapshots/s)");
    Console.WriteLine($"  raw HTTP pager: {baseline.Requests} requests, median {bm:0.0} ms");
    Console.WriteLine($"  ratio (drover / baseline time): {dm / bm:0.00}");
    return 0;
}
finally
{
    await app.StopAsync();
    await app.DisposeAsync();
}
