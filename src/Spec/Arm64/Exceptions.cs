namespace Kvmspec.Spec.Arm64;

/// <summary>Exception entry and return for an AArch64 Exception level: what is saved and what
/// PSTATE becomes.</summary>
/// <remarks>
/// Arm ARM DDI 0487, "Exception entry" (pseudocode AArch64.TakeException) and "Exception return"
/// (AArch64.ExceptionReturn): entry saves PSTATE, including SS, into SPSR_ELx and the preferred
/// return address into ELR_ELx, then sets PSTATE.SS to 0 and masks D, A and I. KVM's
/// enter_exception64() (arch/arm64/kvm/hyp/exception.c) mirrors this for injected exceptions.
/// </remarks>
public static class Exceptions
{
    /// <summary>The PSTATE after taking an exception to <paramref name="target"/>.</summary>
    public static PSTATE TakeException(PSTATE current, ExceptionLevel target) =>
        current with { SS = false, D = true, A = true, I = true, EL = target };

    /// <summary>The PSTATE after ERET from <paramref name="spsr"/>, with SS from DebugExceptionReturnSS().</summary>
    public static PSTATE ExceptionReturn(PSTATE spsr, bool ssAfterReturn) => spsr with { SS = ssAfterReturn };
}
