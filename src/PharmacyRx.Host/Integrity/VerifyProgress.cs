namespace PharmacyRx.Host.Integrity;

/// <summary>
/// How far a <see cref="ArchiveVerifier"/> run is: records and audit events checked of how many (zero when not known
/// beforehand). Updated from the checking threads; read by whoever shows it.
/// </summary>
public sealed class VerifyProgress
{
    private long _records;
    private long _events;
    private long _recordsTotal;
    private long _eventsTotal;

    public long Records => Interlocked.Read(ref _records);

    public long AuditEvents => Interlocked.Read(ref _events);

    public long RecordsTotal => Interlocked.Read(ref _recordsTotal);

    public long AuditEventsTotal => Interlocked.Read(ref _eventsTotal);

    internal void Totals(long records, long auditEvents)
    {
        Interlocked.Exchange(ref _recordsTotal, records);
        Interlocked.Exchange(ref _eventsTotal, auditEvents);
    }

    internal void RecordChecked() => Interlocked.Increment(ref _records);

    internal void AuditEventChecked() => Interlocked.Increment(ref _events);
}
