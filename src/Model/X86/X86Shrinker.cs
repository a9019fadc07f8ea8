using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Model.X86;

/// <summary>Smaller x86 scripts, simplest first: fewer actions, plainer actions, a shorter or
/// plainer program (an instruction replaced by NOP, the forced-emulation prefix dropped).</summary>
public static class X86Shrinker
{
    public static IEnumerable<X86Script> Candidates(X86Script s)
    {
        var a = s.Actions;
        for (int chunk = a.Length / 2; chunk >= 1; chunk /= 2)
            for (int start = 0; start + chunk <= a.Length; start += chunk)
                yield return s with { Actions = a.RemoveRange(start, chunk) };
        for (int i = 0; i < a.Length; i++)
            if (a[i] is Do { Event: Run { ImmediateExit: true } })
                yield return s with { Actions = a.SetItem(i, Action.Of(new Run())) };
        var body = s.Program.Body;
        if (body.Length > 1)
            yield return s with { Program = new X86Program(body.RemoveAt(body.Length - 1)) };
        for (int i = 0; i < body.Length; i++)
        {
            if (body[i].Kind != X86InstructionKind.Nop)
                yield return s with { Program = new X86Program(body.SetItem(i, new X86Instruction(X86InstructionKind.Nop))) };
            if (body[i].Forced)
                yield return s with { Program = new X86Program(body.SetItem(i, body[i] with { Forced = false })) };
        }
    }

    public static X86Script Shrink(X86Script s, Func<X86Script, bool> stillFails, int budget = 4000)
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
