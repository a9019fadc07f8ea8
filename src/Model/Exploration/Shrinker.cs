using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>Smaller variants of a script, simplest first: fewer actions (halves, then single ones),
/// plainer actions, and a shorter or plainer guest program.</summary>
public static class Shrinker
{
    public static IEnumerable<Script> Candidates(Script s)
    {
        var a = s.Actions;
        for (int chunk = a.Length / 2; chunk >= 1; chunk /= 2)
            for (int start = 0; start + chunk <= a.Length; start += chunk)
                yield return s with { Actions = a.RemoveRange(start, chunk) };
        for (int i = 0; i < a.Length; i++)
            if (a[i] is Do { Event: Run { ImmediateExit: true } })
                yield return s with { Actions = a.SetItem(i, Action.Of(new Run())) };
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
    public static Script Shrink(Script s, Func<Script, bool> stillFails, int budget = 4000)
    {
        bool progress = true;
        while (progress && budget > 0)
        {
            progress = false;
            foreach (var c in Candidates(s))
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
