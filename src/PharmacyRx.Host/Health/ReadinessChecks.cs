using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PharmacyRx.Core.Access;
using PharmacyRx.Core.Clock;
using PharmacyRx.Core.Verification;
using PharmacyRx.Host.Access;
using PharmacyRx.Host.Audit;
using PharmacyRx.Host.Backup;
using PharmacyRx.Host.Clock;
using PharmacyRx.Host.Compliance;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Health;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c>: database, bus, clock skew (1311.205(b)(4)(v)), CRLs (1311.210(c)(2)),
/// ages of backup (1311.205(b)(17)) and report (1311.215(b)), file modes (1311.205(b)(5)), compliance, free space, held
/// messages, second-folder copies, intrusions and overdue incident reports (1311.215(c)).
/// </summary>
public static class ReadinessChecks
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddReadinessChecks(this IServiceCollection services)
    {
        // The file-mode walk stats every file in the data folder: at most once per Health:FileModesInterval (default 30
        // seconds), however many anonymous probes arrive.
        services.AddSingleton(provider => new FileModesSnapshot(provider.GetRequiredService<DataFolder>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IConfiguration>().GetValue("Health:FileModesInterval", TimeSpan.FromSeconds(30))));
        // The flagged events are read at most once per Health:IncidentsInterval (default 30 seconds), however many probes arrive.
        services.AddSingleton(provider => new IncidentsSnapshot(provider.GetRequiredService<IncidentStore>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IConfiguration>().GetValue("Health:IncidentsInterval", TimeSpan.FromSeconds(30))));
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database")
            .AddCheck<ClockSkewCheck>("clock")
            .AddCheck<CrlFreshnessCheck>("crls")
            .AddCheck<BackupAgeCheck>("backup")
            .AddCheck<AuditReportAgeCheck>("auditReport")
            .AddCheck<FileModesCheck>("fileModes")
            .AddCheck<FreeSpaceCheck>("freeSpace")
            .AddCheck<HeldMessagesCheck>("heldMessages")
            .AddCheck<SecondFolderCheck>("secondFolder")
            .AddCheck<ComplianceCheck>("compliance")
            .AddCheck<SecurityIncidentsCheck>("securityIncidents");
        return services;
    }

    public static IEndpointRouteBuilder MapReadinessChecks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" }));
        // Unhealthy answers 503, degraded 200 (the defaults); why only to a caller with ReadAudit (WriteAsync).
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return app;
    }

    /// <summary>
    /// Whether the caller may read the checks' detail (last backup, clock server, failing paragraphs, CRL issuers, paths):
    /// a signed-in user or service account holding ReadAudit (1311.205(b)(1)). Anyone else gets the status word alone.
    /// </summary>
    private static bool MayReadDetail(HttpContext context) =>
        context.User.HasClaim(TokenAuthenticationHandler.SessionClaim, TokenAuthenticationHandler.FullSession)
        && context.User.HasClaim(TokenAuthenticationHandler.PermissionClaim, nameof(Permission.ReadAudit));

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        if (!MayReadDetail(context))
        {
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }, Json));
        }
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        }, Json));
    }

    private sealed class DatabaseCheck(Database database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                const string sql = """
                    SELECT MAX(version) FROM schema_migrations
                    """;
                await using var connection = await database.OpenAsync(cancellationToken);
                var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, cancellationToken: cancellationToken));
                return HealthCheckResult.Healthy($"schema version {version}");
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("the database cannot be read", ex);
            }
        }
    }

    private sealed class ClockSkewCheck(ClockCheck clock, ClockOptions options) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(clock.Last switch
            {
                _ when !options.Enabled => HealthCheckResult.Degraded("the clock check is switched off"),
                null => HealthCheckResult.Degraded("the clock has not been checked yet"),
                { Skew: null } failed => HealthCheckResult.Degraded($"the clock could not be checked: {failed.Problem}", data: Data(failed)),
                { WithinBounds: false } off => HealthCheckResult.Unhealthy(
                    $"the clock is {off.Skew!.Value.TotalSeconds:0.#} s off {off.Server}: more than {options.MaxSkew.TotalMinutes:0} minutes (1311.205(b)(4)(v))", data: Data(off)),
                var ok => HealthCheckResult.Healthy($"within {options.MaxSkew.TotalMinutes:0} minutes of {ok.Server}", Data(ok)),
            });

        private static Dictionary<string, object> Data(ClockStatus status)
        {
            var data = new Dictionary<string, object> { ["server"] = status.Server, ["checkedAt"] = status.CheckedAt };
            if (status.Skew is { } skew)
            {
                data["skewSeconds"] = skew.TotalSeconds;
            }
            return data;
        }
    }

    private sealed class CrlFreshnessCheck(CrlCache crls, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var now = time.GetUtcNow();
            var newest = crls.All.GroupBy(l => l.Issuer).Select(g => g.OrderByDescending(l => l.ThisUpdate).First()).ToArray();
            var stale = newest.Where(l => !l.IsCurrentAt(now)).Select(l => l.Issuer).ToArray();
            var data = new Dictionary<string, object> { ["held"] = newest.Length, ["stale"] = stale };
            return Task.FromResult(stale.Length == 0
                ? HealthCheckResult.Healthy($"{newest.Length} issuer(s) with a current CRL", data)
                : HealthCheckResult.Degraded($"no current CRL for {string.Join("; ", stale)}: their prescriptions wait in PendingRevocationCheck", data: data));
        }
    }

    private sealed class BackupAgeCheck(BackupService backups, BackupOptions options, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!options.Enabled)
            {
                return Task.FromResult(HealthCheckResult.Degraded("the daily backup is switched off"));
            }
            if (backups.List() is not [var newest, ..])
            {
                return Task.FromResult(HealthCheckResult.Degraded("no backup has been taken yet"));
            }
            var age = time.GetUtcNow() - newest.TakenAt;
            var data = new Dictionary<string, object> { ["lastBackup"] = newest.TakenAt, ["ageHours"] = Math.Round(age.TotalHours, 1) };
            return Task.FromResult(age <= options.MaxAge
                ? HealthCheckResult.Healthy($"last backup {age.TotalHours:0.#} hours ago", data)
                : HealthCheckResult.Degraded($"the last backup is {age.TotalHours:0} hours old (1311.205(b)(17))", data: data));
        }
    }

    private sealed class AuditReportAgeCheck(AuditReporter reporter) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var yesterday = reporter.Yesterday();
            return Task.FromResult(reporter.Days() switch
            {
                [var newest, ..] when newest >= yesterday => HealthCheckResult.Healthy($"the report of {newest:yyyy-MM-dd} is written"),
                [var newest, ..] => HealthCheckResult.Degraded($"the newest audit report is of {newest:yyyy-MM-dd}; yesterday's is missing (1311.215(b))"),
                _ => HealthCheckResult.Healthy("no day to report on yet"),
            });
        }
    }

    // Degraded below the warning threshold; Unhealthy below the hard one or while messages are refused for a storage fault.
    // The moment refusal began reads as every instant in the console does: on the pharmacy's clock (PharmacyClock.Format).
    private sealed class FreeSpaceCheck(FreeSpaceMonitor monitor, IngestRefusals refusals, PharmacyClock clock) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var reading = monitor.Read();
            var data = reading is null ? new Dictionary<string, object>() : new Dictionary<string, object>
            {
                ["freeBytes"] = reading.FreeBytes, ["totalBytes"] = reading.TotalBytes, ["warningBytes"] = reading.WarningBytes, ["hardBytes"] = reading.HardBytes,
            };
            if (refusals.Current is { } refusing)
            {
                data["refusingSince"] = refusing.Since;
                data["refusals"] = refusing.Refusals;
            }
            return Task.FromResult((reading, refusals.Current) switch
            {
                (_, { } period) => HealthCheckResult.Unhealthy(
                    $"messages are refused (503, held, retried) since {clock.Format(period.Since)}: {period.LastFault}", data: data),
                (null, _) => HealthCheckResult.Degraded("the free space of the data folder cannot be read", data: data),
                ({ BelowHard: true } low, _) => HealthCheckResult.Unhealthy(
                    $"{low.FreeBytes} bytes free in the data folder, below the hard threshold of {low.HardBytes}: messages are refused", data: data),
                ({ BelowWarning: true } low, _) => HealthCheckResult.Degraded(
                    $"{low.FreeBytes} bytes free in the data folder, below the warning threshold of {low.WarningBytes}", data: data),
                ({ } ok, _) => HealthCheckResult.Healthy($"{ok.FreeBytes} bytes free in the data folder", data),
            });
        }
    }

    // A message not even its Rejected record could be written for: held and retried, never dead-lettered; IT must look.
    private sealed class HeldMessagesCheck(HeldMessages held) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(held.Count switch
            {
                0 => HealthCheckResult.Healthy("no message is held unarchived"),
                var count => HealthCheckResult.Unhealthy(
                    $"{count} message(s) held unarchived: not even their Rejected record could be written; retried (see the log)",
                    data: new Dictionary<string, object> { ["held"] = count }),
            });
    }

    // A head or backup not yet copied to Backup:SecondFolder (unreachable, full): degraded, retried, receiving goes on.
    private sealed class SecondFolderCheck(SecondFolderCopies copies) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(copies.Behind() switch
            {
                null => HealthCheckResult.Healthy("no second folder is set (Backup:SecondFolder)"),
                [] => HealthCheckResult.Healthy("every signed head and backup is copied to the second folder"),
                var missing => HealthCheckResult.Degraded($"not yet copied to Backup:SecondFolder (retried): {string.Join("; ", missing.Take(5))}",
                    data: new Dictionary<string, object> { ["missing"] = missing.Count }),
            });
    }

    // 1311.205(b)(5): a warning (degraded), not a failed readiness: the service still works, but health data is exposed.
    private sealed class FileModesCheck(FileModesSnapshot snapshot) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var loose = snapshot.Current();
            return Task.FromResult(loose.Count == 0
                ? HealthCheckResult.Healthy("every file in the data folder is the service user's alone")
                : HealthCheckResult.Degraded($"warn: {string.Join("; ", loose)}", data: new Dictionary<string, object> { ["loose"] = loose }));
        }
    }

    // The compliance self-report's count, as last made (hourly): degraded while a paragraph fails; `pharmacyrx compliance` says why.
    private sealed class ComplianceCheck(ComplianceMonitor monitor) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (monitor.Latest is not { } report)
            {
                return Task.FromResult(HealthCheckResult.Healthy("the compliance self-report has not been made yet"));
            }
            var failing = report.Paragraphs.Where(p => p.Status == ComplianceStatus.Fail).Select(p => p.Paragraph).ToArray();
            var data = new Dictionary<string, object>
            {
                ["failingParagraphs"] = failing.Length, ["warningParagraphs"] = report.Summary.Warn, ["failing"] = failing, ["checkedAt"] = report.GeneratedAt,
            };
            return Task.FromResult(failing.Length == 0
                ? HealthCheckResult.Healthy(report.Summary.ToString(), data)
                : HealthCheckResult.Degraded($"{report.Summary} ({string.Join(", ", failing)}): see pharmacyrx compliance", data: data));
        }
    }

    // 1311.215(c): someone wrote into the audit trail and nobody has decided it, or an incident's report is past its deadline.
    private sealed class SecurityIncidentsCheck(IncidentsSnapshot snapshot) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var standing = await snapshot.CurrentAsync(cancellationToken);
            var problems = new List<string>();
            if (standing.UndecidedIntrusions is { Count: > 0 } intrusions)
            {
                problems.Add($"{intrusions.Count} audit-trail intrusion(s) undecided (#{string.Join(", #", intrusions.Select(i => i.Sequence))})");
            }
            if (standing.Overdue is { Count: > 0 } overdue)
            {
                problems.Add($"{overdue.Count} incident report(s) past their deadline unsent");
            }
            var data = new Dictionary<string, object>
            {
                ["undecided"] = standing.Undecided.Count, ["openIncidents"] = standing.Open.Count, ["overdueIncidents"] = standing.Overdue.Count,
            };
            return problems.Count == 0
                ? HealthCheckResult.Healthy(standing.Summary(), data)
                : HealthCheckResult.Degraded($"{string.Join("; ", problems)} (1311.215(c)): decide and report them (console: Security incidents)", data: data);
        }
    }

    /// <summary>The flagged events and incidents as last read, read again only after the interval; one read at a time.</summary>
    private sealed class IncidentsSnapshot(IncidentStore incidents, TimeProvider time, TimeSpan interval) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private (DateTimeOffset At, IncidentStanding Standing)? _last;

        public async Task<IncidentStanding> CurrentAsync(CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var now = time.GetUtcNow();
                if (_last is { } last && now - last.At < interval && now >= last.At)
                {
                    return last.Standing;
                }
                var standing = await incidents.ReadAsync(cancellationToken);
                _last = (now, standing);
                return standing;
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => _gate.Dispose();
    }

    /// <summary>The last walk of the data folder for loose modes, made again only after the interval; one walk at a time.</summary>
    private sealed class FileModesSnapshot(DataFolder data, TimeProvider time, TimeSpan interval)
    {
        private readonly Lock _gate = new();
        private (DateTimeOffset At, IReadOnlyList<string> Loose)? _last;

        public IReadOnlyList<string> Current()
        {
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (_last is { } last && now - last.At < interval)
                {
                    return last.Loose;
                }
                var loose = OwnerOnlyFiles.FindLoose(data.Root);
                _last = (now, loose);
                return loose;
            }
        }
    }
}
