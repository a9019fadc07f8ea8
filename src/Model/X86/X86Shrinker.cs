using Kvmspec.Model.Exploration;
using Kvmspec.Spec.X86;

namespace Kvmspec.Model.X86;

/// <summary>Smaller x86 scripts, simplest first: fewer actions, plainer actions, a shorter or
/// plainer program (an instruction replaced by NOP, the forced-emulation prefix dropped).</summary>
public static class X86Shrinker
{
    public static IEnumerable<X86Script> Candidates(X86Script s)
    {
        foreach (var a in Shrinker.ActionCandidates(s.Actions)) yield return s with { Actions = a };
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

    public static X86Script Shrink(X86Script s, Func<X86Script, bool> stillFails, int budget = 4000) => Shrinker.Greedy(s, Candidates, stillFails, budget);
}
