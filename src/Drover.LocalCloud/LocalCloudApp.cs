using Drover.Hcloud;
using Drover.LocalCloud.Endpoints;
using Drover.LocalCloud.Http;
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
        var state = new LocalCloudState(options, faults);
        var rateLimiter = new RateLimiter(options.TimeProvider, options.RateLimitBudget, options.RateLimitRefillInterval);
        var info = new LocalCloudRuntimeInfo(typeof(LocalCloudApp).Assembly.GetName().Version?.ToString() ?? "0.0.0", options.StateDirectory, MachineSupportProbe.Probe());
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(faults);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(rateLimiter);
        builder.Services.AddSingleton(info);
        configure?.Invoke(builder);

        var app = builder.Build();
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
        return app;
    }
}
