package org.stratoslvs.keepalived;

/**
 * What checks a config text before anything of it is applied. In the product that is {@code keepalived -t}
 * ({@link KeepalivedValidator}); tests of the pipeline's decisions (coalescing, containment, the audit, retries) put a
 * stand-in here so that they run without root or keepalived, beside the tests against the real parser.
 */
@FunctionalInterface
public interface ConfigChecker {

    /** keepalived's verdict on {@code text}: accepted, rejected (exit code ≥ 0) or no verdict (exit code < 0). */
    KeepalivedValidator.Result check(String text);
}
