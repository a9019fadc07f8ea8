using System.Collections.Immutable;
using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>How the explorer drives one architecture's composed vCPU: apply a script action, let
/// KVM_RUN return, and read the parts of a context that make up the explored state.</summary>
/// <remarks>
/// <c>Apply</c> and <c>Settle</c> are the simulator's own; <c>Out</c> is the trace so far;
/// <c>Vcpu</c> the composed vCPU record (every machine's control state and all the data they
/// share); <c>Vmm</c> what the VMM knows beyond the vCPU that changes what it does next (for
/// example that an access awaits completion), packed with the program.
/// </remarks>
public sealed record ModelOps<C>(
    Func<C, Action, C> Apply,
    Func<C, C> Settle,
    Func<C, ImmutableList<TraceEvent>> Out,
    Func<C, object> Vcpu,
    Func<C, ulong> Vmm,
    Func<C, string?> Unhandled,
    Func<C, TraceHeader> Header,
    IReadOnlyList<Invariant> Invariants);

/// <summary>The composed vCPU system of one variant as a state space for <see cref="Bfs"/>.</summary>
/// <remarks>
/// A state is a context after some script actions: the vCPU (all machine control states and data),
/// the program, what the VMM knows, and the state of every invariant's monitor over the trace so
/// far. Monitors are part of the state (the product of system and monitors, as a never-claim is in
/// SPIN), so two paths merge only when the monitors would judge every continuation alike; this
/// keeps the search exhaustive for the trace invariants. Each transition is judged on the trace a
/// script ending there gives (<see cref="Simulator.Execute"/>: the actions, then KVM_RUN allowed
/// to return), so a finding's path replays as a script with the same violation.
/// </remarks>
public sealed class ModelSpace<C>(ModelOps<C> ops, IReadOnlyList<C> initial, Func<C, IReadOnlyList<Action>> alphabet, ulong seed) : IStateSpace<C>
{
    /// <summary>A fingerprint seed from a variant's id or label, so that states of different variants differ.</summary>
    public static ulong SeedOf(string id)
    {
        var p = new Packer(0);
        foreach (char ch in id) p.Add(ch);
        return p.Finish().Lo;
    }

    /// <summary>The invariant id of a model finding (a state/trigger pair no row handles).</summary>
    public const string Unhandled = "MODEL";

    private IReadOnlyList<Outcome<C>>? init;

    public IReadOnlyList<Outcome<C>> Initial => init ??= [.. initial.Select(Judge)];

    public int ActionCount(C s) => alphabet(s).Count;

    public IReadOnlyList<Action> Alphabet(C s) => alphabet(s);

    public Outcome<C>? Step(C s, int a)
    {
        if (ops.Unhandled(s) is not null) return null;
        return Judge(ops.Apply(s, alphabet(s)[a]));
    }

    private Outcome<C> Judge(C c)
    {
        var now = ops.Out(c);
        var checker = new TraceChecker(ops.Header(c), ops.Invariants);
        int i = 0;
        foreach (var e in now) checker.Observe(i++, e);
        var p = new Packer(seed);
        StatePacker.Pack(ref p, ops.Vcpu(c));
        p.Add(ops.Vmm(c));
        StatePacker.Pack(ref p, checker);
        var key = p.Finish();
        var all = ops.Out(ops.Settle(c));
        if (!ReferenceEquals(all, now))
            foreach (var e in all.Skip(now.Count)) checker.Observe(i++, e);
        List<Violation>? found = null;
        foreach (var v in checker.Finish())
            foreach (var x in v.Violations)
                (found ??= []).Add(x);
        if (ops.Unhandled(c) is { } u) (found ??= []).Add(new Violation(Unhandled, "unhandled", now.Count, u));
        return new Outcome<C>(c, key, found);
    }
}
