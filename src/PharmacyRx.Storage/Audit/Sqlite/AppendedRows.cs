using System.Runtime.CompilerServices;
using SQLitePCL;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// The first row (and how many rows) each append-only covered table received in the current transaction on one of the service's own
/// connections, from SQLite's update hook: every row after it is that transaction's too (it holds the write lock, and a
/// new rowid is above every existing one), so one number per table stands for all of them, at no cost per row beyond the
/// hook itself. The hook exists only on the service's connections: a row an intruder appends with sqlite3 is never marked.
/// A rollback forgets the marks.
/// </summary>
internal sealed class AppendedRows
{
    private static readonly ConditionalWeakTable<sqlite3, AppendedRows> Watched = new();
    private static readonly HashSet<string> AppendOnly = CoveredTables.All.Where(t => t.AppendOnly).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);

    private readonly Dictionary<string, (long First, int Count)> _first = new(StringComparer.Ordinal);

    /// <summary>Starts watching a connection's handle (once per handle; a pooled handle keeps its hook).</summary>
    public static void Watch(sqlite3 handle)
    {
        if (Watched.TryGetValue(handle, out _))
        {
            return;
        }
        var rows = new AppendedRows();
        Watched.Add(handle, rows);
        raw.sqlite3_update_hook(handle, rows.OnChange, null);
        raw.sqlite3_rollback_hook(handle, _ => rows._first.Clear(), null);
    }

    /// <summary>The marks of this handle's current transaction, taken (cleared); empty when the handle is not watched.</summary>
    public static Dictionary<string, (long First, int Count)> Take(sqlite3 handle)
    {
        if (!Watched.TryGetValue(handle, out var rows) || rows._first.Count == 0)
        {
            return [];
        }
        var taken = new Dictionary<string, (long First, int Count)>(rows._first, StringComparer.Ordinal);
        rows._first.Clear();
        return taken;
    }

    public static bool IsWatched(sqlite3 handle) => Watched.TryGetValue(handle, out _);

    private void OnChange(object user, int type, utf8z database, utf8z table, long rowid)
    {
        if (type == raw.SQLITE_INSERT && table.utf8_to_string() is var name && AppendOnly.Contains(name) && database.utf8_to_string() == "main")
        {
            _first[name] = _first.TryGetValue(name, out var marked) ? (marked.First, marked.Count + 1) : (rowid, 1);
        }
    }
}
