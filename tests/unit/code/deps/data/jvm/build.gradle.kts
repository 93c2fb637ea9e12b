import org.jetbrains.kotlin.gradle.tasks.KotlinCompile

plugins {
    kotlin("jvm") version "1.9.23"
    application
}

group = "com.examplebank.fx"
version = "3.0.1"

val bouncyCastleVersion = "1.78.1"
val ktorVersion: String by project
extra["circlVersion"] = "0.1.0"

repositories {
    mavenCentral()
}

dependencies {
    implementation(platform("io.ktor:ktor-bom:2.3.11")) /* BOM: versions below */
    implementation("io.ktor:ktor-server-netty")
    implementation("org.bouncycastle:bcprov-jdk18on:$bouncyCastleVersion")
    implementation("org.bouncycastle:bctls-jdk18on:${bouncyCastleVersion}")
    implementation(group = "org.bouncycastle", name = "bcpkix-jdk18on", version = "1.78.1")
    implementation(libs.kotlinx.serialization.json)
    implementation("com.examplebank:ktor-mtls:$ktorVersion")
    runtimeOnly("ch.qos.logback:logback-classic:1.5.6")
    testImplementation(kotlin("test"))
    testImplementation("io.ktor:ktor-server-test-host")
    // testImplementation("org.bouncycastle:bcprov-debug-jdk18on:1.78.1")
}

tasks.withType<KotlinCompile> {
    kotlinOptions.jvmTarget = "17" // "org.example:not-a-dep:1.0"
}
