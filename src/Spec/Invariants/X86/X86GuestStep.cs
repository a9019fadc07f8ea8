using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Invariants;

/// <summary>GUEST-STEP on x86: a guest that sets its own TF gets the SDM's single-step: a #DB after
/// every instruction that began with TF=1 (none after the one that set it, none after a SYSCALL
/// whose IA32_FMASK cleared it, after MOV SS one instruction later), also across instructions KVM
/// emulates. Judged while the host does not debug (with host debugging on, where the #DB goes is
/// TRANSPARENT's question).</summary>
/// <remarks>Path: <c>missed</c> (the next instruction retired before the due #DB was delivered).
/// Sources: SDM "Single-Step Exception Condition"; 663f4c61b803; kvm_skip_emulated_instruction's
/// comment that the skip is right for guest TF too.</remarks>
public static class X86GuestStep
{
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(GuestStep.Id, c)
    {
        private readonly X86GuestView view = new(c.Header);
        private Retired? due;
        private bool deferred;

        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case X86ExceptionTaken { Vector: X86Program.DbVector }:
                    due = null;
                    deferred = false;
                    break;
                case Retired r:
                    if (due is not null && !view.HostDebugging)
                    {
                        if (deferred) deferred = false;
                        else
                        {
                            Report("missed", i, $"0x{r.Pc:X} {r.Insn} retired before the #DB due after 0x{due.Pc:X} {due.Insn} (the guest's own TF)");
                            due = null;
                        }
                    }
                    if (due is null && view.Tf && !view.HostDebugging)
                    {
                        var k = X86GuestView.KindOf(r);
                        bool tfAfter = k switch
                        {
                            X86InstructionKind.Syscall => (X86Program.Fmask & Rflags.TF) == 0,
                            _ => true,
                        };
                        if (X86Sdm.StepTrapAfter(k ?? X86InstructionKind.Nop, true, tfAfter))
                        {
                            due = r;
                            deferred = k == X86InstructionKind.MovSs && view.Shadow != Spec.X86.Shadow.MovSs;
                        }
                    }
                    break;
                case X86SetGuestDebug { Error: null, Enabled: true }:
                    due = null;
                    break;
            }
            view.Apply(ev);
        }
    }
}
