namespace Drover.LocalCloud.Proxmox;

/// <summary>
/// The Proxmox API's request pipeline, as pve-http-server and pve-manager's HTTPServer run it: the formatter segment
/// (<c>/api2/json</c> only), 501 for unknown methods, authentication (401 after a delay on the injected clock; tickets
/// need the CSRF token on non-GET requests), parameters from query and body checked against the schema, the handler,
/// and PVE's response and error shapes.
/// </summary>
internal sealed class PveMiddleware(RequestDelegate next, LocalProxmox pve, ILogger<PveMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!pve.Serves(context))
        {
            await next(context);
            return;
        }
        var method = context.Request.Method;
        var path = context.Request.Path.Value ?? "/";
        PveUpload? upload = null;
        var taken = false;
        try
        {
            if (!path.StartsWith("/api2/json/", StringComparison.Ordinal) && path != "/api2/json")
            {
                throw new PveException(501, "no such uri");
            }
            var relative = path["/api2/json".Length..];
            relative = relative.Length == 0 ? "/" : relative;
            PveRoute? route = null;
            Dictionary<string, string>? pathValues = null;
            foreach (var candidate in pve.Routes.Where(r => r.Method == method))
            {
                if (candidate.Match(relative) is { } values)
                {
                    (route, pathValues) = (candidate, values);
                    break;
                }
            }
            if (route is null || pathValues is null)
            {
                throw new PveException(501, $"Method '{method} {relative}' not implemented");
            }
            var user = PveAuth.RootUser;
            if (route.Template != "/access/ticket")
            {
                var (authenticated, ticket, problem) = pve.Auth.Authenticate(context.Request);
                if (authenticated is null)
                {
                    await FailAuthAsync(context, problem!);
                    return;
                }
                if (ticket && method != "GET" && !pve.Auth.VerifyCsrf(authenticated, context.Request.Headers["CSRFPreventionToken"].ToString()))
                {
                    await FailAuthAsync(context, "Permission denied - invalid csrf token");
                    return;
                }
                user = authenticated;
            }
            var (parameters, file) = await PveRequestReader.ReadAsync(context.Request, pve.State.Storage.SpoolDirectory, context.RequestAborted);
            upload = file;
            foreach (var (name, value) in pathValues)
            {
                parameters[name] = value;
            }
            PveValidator.Validate(route.Key, parameters);
            var data = await route.Handler(new PveCall(parameters, user, upload, context.RequestAborted));
            taken = true;
            await PveWire.WriteDataAsync(context, data);
        }
        catch (PveException e) when (!context.Response.HasStarted)
        {
            await PveWire.WriteErrorAsync(context, e.Status, e.Message, e.Errors);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            logger.LogError(e, "{Method} {Path} failed", method, path);
            await PveWire.WriteErrorAsync(context, 500, e.Message);
        }
        finally
        {
            if (upload is not null && !taken)
            {
                // The call failed before a task took the spooled file (a task moves it into place or deletes it).
                File.Delete(upload.TemporaryPath);
            }
        }
    }

    /// <summary>PVE delays every unauthorized answer (3 s; on the injected clock, so tests do not wait).</summary>
    private async Task FailAuthAsync(HttpContext context, string problem)
    {
        await Task.Delay(pve.AuthFailureDelay, pve.Time, context.RequestAborted);
        await PveWire.WriteErrorAsync(context, 401, problem);
    }
}
