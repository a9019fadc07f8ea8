using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>Smaller variants of a script, simplest first: fewer actions (halves, then single ones),
/// plainer actions, and a shorter or plainer guest program.</summary>
public static class Shrinker
{
    /// <summary>Smaller action lists, simplest first: halves, then single actions removed, then
    /// KVM_RUN with immediate_exit made a plain KVM_RUN (shared by the arm64 and x86 shrinkers).</summary>
    public static IEnumerable<ImmutableArray<Action>> ActionCandidates(ImmutableArray<Action> a)
    {
        for (int chunk = a.Length / 2; chunk >= 1; chunk /= 2)
            for (int start = 0; start + chunk <= a.Length; start += chunk)
                yield return a.RemoveRange(start, chunk);
        for (int i = 0; i < a.Length; i++)
            if (a[i] is Do { Event: Run { ImmediateExit: true } })
                yield return a.SetItem(i, Action.Of(new Run()));
    }

    public static IEnumerable<Script> Candidates(Script s)
    {
        foreach (var a in ActionCandidates(s.Actions)) yield return s with { Actions = a };
        var body = s.Program.Body;
        if (body.Length > 1 && !body.Any(x => x.Kind == InstructionKind.Branch && x.Target >= GuestProgram.AddressOf(body.Length - 1)))
            yield return s with { Program = new GuestProgram(body.RemoveAt(body.Length - 1)) };
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i].Kind != InstructionKind.Nop)
                yield return s with { Program = new GuestProgram(body.SetItem(i, new Instruction(InstructionKind.Nop))) };
            if (body[i].Stage2Fault)
                yield return s with { Program = new GuestProgram(body.SetItem(i, body[i] with { Stage2Fault = false })) };
        }
    }

    /// <summary>Greedy shrinking to a local minimum: keep the first candidate that still fails.</summary>
    public static Script Shrink(Script s, Func<Script, bool> stillFails, int budget = 4000) => Greedy(s, Candidates, stillFails, budget);

    /// <summary>Greedy shrinking of any script type: take the first candidate that still fails, until
    /// none does or the budget of tried candidates is spent.</summary>
    public static T Greedy<T>(T s, Func<T, IEnumerable<T>> candidates, Func<T, bool> stillFails, int budget = 4000)
    {
        bool progress = true;
        while (progress && budget > 0)
        {
            progress = false;
            foreach (var c in candidates(s))
            {
                if (--budget <= 0) break;
                if (!stillFails(c)) continue;
                s = c;
                progress = true;
                break;
            }
        }
        return s;
    }
}
