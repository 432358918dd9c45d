using System.Diagnostics;
using System.Globalization;
using System.Text;
using Drover.Fleet.Bootstrap;
using Drover.Fleet.Config;
using Drover.Hcloud;
using Drover.LocalCloud;

namespace Drover.Bench;

/// <summary>
/// bench bootstrap [--hosts N] [--latency-ms L] [--action-s A] [--parallelism P]
/// Bootstraps an N-host fleet twice against fresh local clouds on 127.0.0.1 that answer every API call after L ms and
/// finish server creation in A s: once as Drover does (parallel creates, one batched wait), once as the sequential
/// baseline (same planner and applier, one host at a time, each waited for). Prints both wall times, the ratio and the
/// API calls per host besides action polling.
/// </summary>
internal static class BootstrapBench
{
    private const string PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var hosts = 50;
        var latency = TimeSpan.FromMilliseconds(20);
        var action = TimeSpan.FromSeconds(3);
        var parallelism = 16;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--hosts": hosts = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--latency-ms": latency = TimeSpan.FromMilliseconds(double.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                case "--action-s": action = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                case "--parallelism": parallelism = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
            }
        }
        var dir = Directory.CreateTempSubdirectory("drover-bench-bootstrap-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "admin.pub"), PublicKey + "\n");
            var yaml = new StringBuilder("fleet: bench\ndefaults:\n  location: fsn1\n  server_type: cx23\n  ssh_keys:\n    - name: admin\n      public_key_file: admin.pub\nhosts:\n");
            for (var h = 1; h <= hosts; h++)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"  node{h:000}:\n    role: {(h % 5 == 0 ? "db" : "web")}\n    image: debian-12\n");
            }
            var path = Path.Combine(dir.FullName, "drover.yaml");
            File.WriteAllText(path, yaml.ToString());
            var fleet = FleetLoader.Load(path);

            Console.WriteLine($"bootstrap of {hosts} hosts; API latency {latency.TotalMilliseconds:0} ms per call, server creation {action.TotalSeconds:0.#} s");
            var drover = await RunOnceAsync(fleet, latency, action, parallelism);
            Console.WriteLine($"  drover (parallelism {parallelism}): {drover.Seconds,8:0.00} s   {drover.CallsPerHost:0.00} API calls/host besides {drover.Polls} action polls ({drover.Total} requests in all)");
            var sequential = await RunOnceAsync(fleet, latency, action, 1);
            Console.WriteLine($"  sequential baseline:     {sequential.Seconds,8:0.00} s   {sequential.CallsPerHost:0.00} API calls/host besides {sequential.Polls} action polls ({sequential.Total} requests in all)");
            Console.WriteLine($"ratio (sequential / drover): {sequential.Seconds / drover.Seconds:0.0}x   target >= 10x");
            Console.WriteLine($"API calls per host besides polling: {drover.CallsPerHost:0.00}   target <= 6");
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private sealed record Run(double Seconds, double CallsPerHost, long Polls, long Total);

    private static async Task<Run> RunOnceAsync(FleetFile fleet, TimeSpan latency, TimeSpan action, int parallelism)
    {
        var options = new LocalCloudOptions
        {
            Token = LocalCloudOptions.NewToken(),
            ActionDuration = action,
            Latency = latency,
            Machines = MachineMode.Off,
        };
        var (app, endpoint) = await LocalCloudServer.StartAsync(options, 0);
        try
        {
            var client = HcloudClient.Create(new HcloudClientOptions { Endpoint = endpoint, Token = options.Token });
            var clock = Stopwatch.StartNew();
            var plan = await new FleetPlanner(client).PlanAsync(fleet);
            var result = await new FleetApplier(client).ApplyAsync(plan, new ApplyOptions { Parallelism = parallelism });
            clock.Stop();
            if (result.Failed)
            {
                throw new InvalidOperationException(string.Join("; ", result.Hosts.Where(h => h.Error is not null).Select(h => $"{h.Host}: {h.Error}")));
            }
            var total = plan.Requests + result.Requests;
            return new Run(clock.Elapsed.TotalSeconds, (double)(total - result.ActionPolls) / fleet.Hosts.Count, result.ActionPolls, total);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
