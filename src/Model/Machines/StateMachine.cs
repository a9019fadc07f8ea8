using System.Collections.Immutable;

namespace Kvmspec.Model.Machines;

/// <summary>A state machine declared as a table of rows and stepped by a pure function.</summary>
/// <remarks>
/// <see cref="Fire"/> takes the first row (in table order) whose from-state matches, whose trigger
/// matches and whose guard holds; applies its effects in order; and sets the control state. A pair
/// with no row is either listed in <see cref="Ignore"/> with a reason, or it is a finding: the
/// machine reports it through the <c>unhandled</c> callback of <see cref="Fire"/> rather than throwing.
/// </remarks>
public sealed class StateMachine<TState, TTrigger, TCtx> : IMachineInfo
    where TState : struct, Enum
    where TTrigger : struct, Enum
{
    public required string Name { get; init; }
    public required string Summary { get; init; }
    public required TState InitialState { get; init; }
    public required ImmutableArray<Row<TState, TTrigger, TCtx>> Rows { get; init; }
    public ImmutableArray<Ignored<TState, TTrigger>> Ignore { get; init; } = [];
    public required Func<TCtx, TState> Get { get; init; }
    public required Func<TCtx, TState, TCtx> Set { get; init; }

    /// <summary>Fires <paramref name="trigger"/>; <paramref name="unhandled"/> maps the context and a
    /// description of a missing row to the context that records the finding.</summary>
    public TCtx Fire(TCtx ctx, TTrigger trigger, Func<TCtx, string, TCtx> unhandled)
    {
        var s = Get(ctx);
        foreach (var row in RowsFor(trigger))
        {
            if (!row.AppliesIn(s) || !row.Guard.Holds(ctx)) continue;
            foreach (var e in row.Effects) ctx = e.Apply(ctx);
            return row.To is { } to ? Set(ctx, to) : ctx;
        }
        foreach (var ig in Ignore)
            if (ig.Trigger.Equals(trigger) && ig.AppliesIn(s)) return ctx;
        return unhandled(ctx, $"{Name}: no row for ({s}, {trigger})");
    }

    private Dictionary<TTrigger, Row<TState, TTrigger, TCtx>[]>? byTrigger;

    /// <summary>The rows of <paramref name="trigger"/> in table order (the table indexed once, lazily).</summary>
    private Row<TState, TTrigger, TCtx>[] RowsFor(TTrigger trigger)
    {
        var index = byTrigger ??= Rows.GroupBy(r => r.Trigger).ToDictionary(g => g.Key, g => g.ToArray());
        return index.TryGetValue(trigger, out var rows) ? rows : [];
    }

    /// <summary>Whether any row could fire for <paramref name="trigger"/> in the current state.</summary>
    public bool Enabled(TCtx ctx, TTrigger trigger) =>
        Rows.Any(r => r.Trigger.Equals(trigger) && r.AppliesIn(Get(ctx)) && r.Guard.Holds(ctx));

    IReadOnlyList<string> IMachineInfo.States => Enum.GetNames<TState>();
    string IMachineInfo.Initial => InitialState.ToString();

    IEnumerable<(string From, string To, string Label)> IMachineInfo.Edges()
    {
        foreach (var r in Rows)
            foreach (var from in r.From.IsDefaultOrEmpty ? Enum.GetValues<TState>().ToImmutableArray() : r.From)
                yield return (from.ToString(), (r.To ?? from).ToString(), r.Label);
    }

    IEnumerable<(string State, string Trigger, string Reason)> IMachineInfo.IgnoredPairs()
    {
        foreach (var ig in Ignore)
            foreach (var st in ig.In.IsDefaultOrEmpty ? Enum.GetValues<TState>().ToImmutableArray() : ig.In)
                yield return (st.ToString(), ig.Trigger.ToString(), ig.Reason);
    }

    /// <summary>Pairs with neither a row nor an ignore entry. A row with a guard counts as handling
    /// its pair only together with its sibling rows; a pair whose rows all have guards may still
    /// miss a case at run time, which <see cref="Fire"/> reports.</summary>
    IEnumerable<(string State, string Trigger)> IMachineInfo.Unhandled()
    {
        foreach (var st in Enum.GetValues<TState>())
            foreach (var tr in Enum.GetValues<TTrigger>())
                if (!Rows.Any(r => r.Trigger.Equals(tr) && r.AppliesIn(st)) && !Ignore.Any(i => i.Trigger.Equals(tr) && i.AppliesIn(st)))
                    yield return (st.ToString(), tr.ToString());
    }
}
