using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>IRQ-BLOCKED: with KVM_GUESTDBG_BLOCKIRQ accepted, no interrupt is injected while guest
/// debugging is enabled (exceptions still are).</summary>
/// <remarks>api.rst "KVM_SET_GUEST_DEBUG" (KVM_GUESTDBG_BLOCKIRQ); 61e5f69ef083 "KVM: x86: implement
/// KVM_GUESTDBG_BLOCKIRQ" (kvm_check_and_inject_events returns before the SMI/NMI/IRQ stage);
/// cae72dcc3b21 (APICv inhibited so posted interrupts cannot bypass it). A KVM_SET_GUEST_DEBUG
/// that failed set nothing. Path: <c>injected</c>.</remarks>
public static class IrqBlocked
{
    public const string Id = "IRQ-BLOCKED";

    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        private bool blocked;

        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case X86SetGuestDebug { Error: null } g:
                    blocked = g.Has(X86GuestDebug.KVM_GUESTDBG_BLOCKIRQ);
                    break;
                case X86ExceptionTaken { IsInterrupt: true } x when blocked:
                    Report("injected", i, $"{x.Name} was injected although KVM accepted KVM_GUESTDBG_BLOCKIRQ");
                    break;
            }
        }
    }
}
