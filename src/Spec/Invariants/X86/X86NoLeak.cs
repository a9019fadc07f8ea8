using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Invariants;

/// <summary>NO-LEAK on x86: the host's TF never appears where the guest or the VMM can see it.</summary>
/// <remarks>Paths (DESIGN.md; kvm-semantics.md E.7): <c>frame</c> (interrupt or exception delivery
/// pushed RFLAGS with TF while the guest's own TF is clear), <c>pushf</c> (PUSHF stored TF),
/// <c>syscall</c> (SYSCALL saved TF in R11), <c>userspace</c> (KVM_GET_REGS showed TF). The guest's
/// own TF is what <see cref="X86GuestView"/> follows; a TF the guest loads back from a leaked image
/// (IRETQ of a leaked frame) is its own from then on, so each leak is reported where it happens.</remarks>
public static class X86NoLeak
{
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(NoLeak.Id, c)
    {
        private readonly X86GuestView view = new(c.Header);

        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case X86ExceptionTaken x when Rflags.Tf(x.Rflags) && !view.Tf:
                    Report("frame", i, $"{x.Name} delivery pushed RFLAGS {Rflags.Describe(x.Rflags)} with TF on the guest's stack; the guest's own TF is clear");
                    break;
                case Retired { Data: { } d } r when Rflags.Tf(d) && !view.Tf:
                    var k = X86GuestView.KindOf(r);
                    if (k == X86InstructionKind.Pushf)
                        Report("pushf", i, $"PUSHF at 0x{r.Pc:X} stored RFLAGS {Rflags.Describe(d)} with the host's TF");
                    else if (k == X86InstructionKind.Syscall)
                        Report("syscall", i, $"SYSCALL at 0x{r.Pc:X} saved RFLAGS {Rflags.Describe(d)} with the host's TF in R11");
                    break;
                case GetRegs g when Rflags.Tf(g.Rflags) && !view.Tf:
                    Report("userspace", i, $"KVM_GET_REGS shows RFLAGS {Rflags.Describe(g.Rflags)} with the host's TF");
                    break;
            }
            view.Apply(ev);
        }
    }
}
