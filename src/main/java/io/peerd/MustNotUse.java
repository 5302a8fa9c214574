package io.peerd;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a package's {@code package-info.java}: the packages its code must not use (each with its
 * subpackages). It is the package's own statement of where it sits, read by a person as part of the
 * package's documentation and enforced by {@code ArchitectureTest}, so the two cannot drift.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PACKAGE)
public @interface MustNotUse {

  /** Package names, e.g. {@code "io.peerd.cli"} or {@code "io.micrometer"}. */
  String[] value();
}
