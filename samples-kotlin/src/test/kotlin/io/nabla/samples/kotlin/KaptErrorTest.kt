package io.nabla.samples.kotlin

import java.io.File
import java.io.FileOutputStream
import java.nio.charset.StandardCharsets
import java.util.concurrent.TimeUnit
import java.util.jar.JarOutputStream
import java.util.zip.ZipEntry
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/**
 * A Kotlin declaration with an error, compiled through kapt, gets Nabla's message at its Kotlin source line (not
 * at kapt's Java stub). kapt runs inside kotlin-maven-plugin, so this test runs a nested Maven build of the fixture
 * project `src/test/resources/kapt-error` (copied to a temporary folder):
 *
 * - offline (`-o`), with this build's local repository: the Kotlin plugin and its dependencies are there already,
 *   resolved by this module's own kapt execution;
 * - the nabla jars and the Kotlin stdlib are system-scope dependencies whose paths are taken from this test's own
 *   class path (this build's `target` jars, or class folders under `mvn test`, jarred here), so nothing has to be
 *   installed: it works in a clean clone under `mvn verify`.
 */
class KaptErrorTest {
    @TempDir
    lateinit var dir: File

    @Test
    fun `a kapt error points at the Kotlin source line`() {
        val mvn = mavenExecutable()
        assumeTrue(mvn != null, "no Maven to run the nested build (set nabla.maven.home or put mvn on the PATH)")
        val project = File(dir, "kapt-error")
        File(javaClass.getResource("/kapt-error/pom.xml")!!.toURI()).parentFile.copyRecursively(project)
        val source = File(project, "src/main/kotlin/broken/Broken.kt")
        val line = source.readLines().indexOfFirst { "units = 0" in it } + 1

        val command = mutableListOf(mvn!!, "-B", "-o", "--no-transfer-progress", "-f", File(project, "pom.xml").path,
            "generate-sources",
            "-Dkotlin.version=" + property("nabla.kotlin.version", KotlinVersion.CURRENT.toString()),
            "-Dnabla.version=" + property("nabla.version", "0.1.0-SNAPSHOT"),
            "-Dnabla.annotations.jar=" + jarOf("io.nabla.Network"),
            "-Dnabla.processor.jar=" + jarOf("io.nabla.processor.NablaProcessor"),
            "-Djavapoet.version=" + property("nabla.javapoet.version", "0.23.0"),
            "-Dkotlin.stdlib.jar=" + jarOf("kotlin.KotlinVersion"))
        System.getProperty("nabla.maven.repo.local")?.takeIf { it.isNotEmpty() }?.let {
            command += "-Dmaven.repo.local=$it"
        }
        val log = File(dir, "mvn.log")
        val process = ProcessBuilder(command).directory(project).redirectErrorStream(true)
            .redirectOutput(log).start()
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly()
            throw AssertionError("the nested Maven build did not end in 5 minutes:\n" + log.readText())
        }
        val output = log.readText(StandardCharsets.UTF_8)
        assertNotEquals(0, process.exitValue(), output)
        val errors = output.lines().filter { "[NablaUnits]" in it }
        assertTrue(errors.isNotEmpty(), "no [NablaUnits] error in:\n$output")
        for (error in errors) {
            // e.g. "[ERROR] /tmp/.../Broken.kt:13: error: [NablaUnits] @Dense hidden has units = 0; ..."
            assertTrue("Broken.kt:$line: error: [NablaUnits] @Dense hidden has units = 0; units must be at least 1."
                in error, "the error points at Broken.kt line $line: $error\n$output")
        }
        assertTrue("Broken.java" !in output && "kaptStubs" !in output, "no kapt stub in the messages:\n$output")
        assertEquals(emptyList<String>(), output.lines().filter { ": error: " in it && "[NablaUnits]" !in it },
            "no other error:\n$output")
    }

    private fun property(name: String, default: String): String =
        System.getProperty(name)?.takeIf { it.isNotEmpty() && !it.startsWith("\${") } ?: default

    /** Maven's launcher: the one running this build (surefire passes its home), else `mvn` on the PATH. */
    private fun mavenExecutable(): String? {
        val home = System.getProperty("nabla.maven.home")?.takeIf { it.isNotEmpty() && !it.startsWith("\${") }
        if (home != null) {
            val mvn = File(home, "bin/mvn")
            if (mvn.canExecute()) return mvn.path
        }
        val path = System.getenv("PATH") ?: return null
        return path.split(File.pathSeparator).map { File(it, "mvn") }.firstOrNull { it.canExecute() }?.path
    }

    /** The jar holding [className] on this test's class path; a class folder (`mvn test`) is jarred first. */
    private fun jarOf(className: String): String {
        val location = File(Class.forName(className).protectionDomain.codeSource.location.toURI())
        if (location.isFile) return location.absolutePath
        val jar = File(dir, location.parentFile.parentFile.name + "-" + location.name + ".jar")
        JarOutputStream(FileOutputStream(jar)).use { out ->
            location.walkTopDown().filter { it.isFile }.forEach { file ->
                out.putNextEntry(ZipEntry(file.relativeTo(location).invariantSeparatorsPath))
                file.inputStream().use { it.copyTo(out) }
                out.closeEntry()
            }
        }
        return jar.absolutePath
    }
}
