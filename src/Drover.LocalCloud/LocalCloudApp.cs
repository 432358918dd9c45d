using Drover.Hcloud;
using Drover.LocalCloud.Endpoints;
using Drover.LocalCloud.Http;
using Drover.LocalCloud.Machines;
using Drover.LocalCloud.Metadata;
using Drover.LocalCloud.Proxmox;
using Drover.LocalCloud.State;

namespace Drover.LocalCloud;

/// <summary>Builds the local cloud as an ASP.NET Core app: in memory for tests, or on 127.0.0.1 as a process.</summary>
public static class LocalCloudApp
{
    /// <summary>Builds the app; <paramref name="configure"/> chooses the server (test host, or Kestrel URLs).</summary>
    public static WebApplication Build(LocalCloudOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Token, nameof(options));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var faults = new FaultInjector();
        var machines = StartMachines(options);
        var state = new LocalCloudState(options, faults, machines.Runtime);
        machines.Metadata.Attach(id => state.Run(() => state.MetadataSourceOf(id)));
        var rateLimiter = new RateLimiter(options.TimeProvider, options.RateLimitBudget, options.RateLimitRefillInterval);
        var proxmox = new LocalProxmox(options, machines.Runtime is { } runtime ? new PveMachines(runtime) : null, null);
        var info = new LocalCloudRuntimeInfo(typeof(LocalCloudApp).Assembly.GetName().Version?.ToString() ?? "0.0.0", options.StateDirectory, () => machines.Support);
        builder.Services.AddSingleton(machines);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MachineLifetime>());
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(faults);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(rateLimiter);
        builder.Services.AddSingleton(info);
        builder.Services.AddSingleton(_ => proxmox); // a factory registration: the container disposes it (its VMs, its temporary directory)
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<PveMiddleware>();
        app.UseMiddleware<ApiMiddleware>();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var (code, message) = http.Response.StatusCode switch
            {
                404 => (ErrorCode.NotFound, "not found"),
                405 => (ErrorCode.MethodNotAllowed, $"method {http.Request.Method} is not allowed here"),
                var other => (ErrorCode.UnknownError, $"HTTP {other}"),
            };
            await Wire.WriteErrorAsync(http, http.Response.StatusCode, code, message);
        });
        ServersEndpoints.Map(app, state);
        ActionsEndpoints.Map(app, state);
        ImagesEndpoints.Map(app, state);
        SshKeysEndpoints.Map(app, state);
        CatalogEndpoints.Map(app, state);
        NetworksEndpoints.Map(app, state);
        FirewallsEndpoints.Map(app, state);
        VolumesEndpoints.Map(app, state);
        ControlEndpoints.Map(app, state, faults, rateLimiter, info);
        MachineEndpoints.Map(app, state, machines);
        PveControlEndpoints.Map(app, proxmox);
        return app;
    }

    /// <summary>
    /// Probes the machine (unless machines are off), sweeps what an earlier run of the same state directory left behind,
    /// and creates the machine runtime when rescue systems can run here.
    /// </summary>
    private static MachineLifetime StartMachines(LocalCloudOptions options)
    {
        var support = MachineSupportProbe.Probe(options.Machines, options.TreatAsMissing);
        MachineRuntime? runtime = null;
        if (support.Mode == MachineSupportProbe.Machines)
        {
            (runtime, var problem) = MachineRuntime.Create(options.StateDirectory);
            if (problem is not null)
            {
                support = new MachineSupport { Mode = MachineSupportProbe.ApiOnly, Reason = problem, Boot = MachineSupportProbe.NoBoot, BootReason = $"no QEMU boots: {problem}" };
            }
        }
        else if (options.StateDirectory is { } directory && File.Exists(Path.Combine(directory, MachineRuntime.DirectoryName, MachineRegistry.FileName))
            && MachineSupportProbe.CanSweep())
        {
            // Without machines now (machines off), but an earlier run with machines may have left some.
            var sweep = MachineSweeper.SweepStateDirectoryAsync(directory).GetAwaiter().GetResult();
            support = support with { Leftovers = sweep.Clean ? null : sweep.Problems };
        }
        var files = runtime is null ? new FileServer("127.0.0.1", freeBind: false) : new FileServer(MachineRuntime.HostAddress, freeBind: true);
        var metadata = new MetadataServer();
        if (runtime is not null)
        {
            runtime.Metadata = metadata;
            runtime.ShutdownTimeout = options.ShutdownTimeout;
            runtime.TreatAsMissing = options.TreatAsMissing;
            if (support.Boot == MachineSupportProbe.NoBoot)
            {
                runtime.BootsDisabled = support.BootReason;
            }
        }
        return new MachineLifetime(runtime, files, metadata, support);
    }
}
