/**
 * Every API emulation mounted on the sandbox host, in matching order. A new service adds
 * one line here and a folder or file (with its SPEC.md) beside this one.
 */
import type {ServiceFactory} from '../types.js'
import {auth0Service} from './auth0/index.js'
import {secretsManagerService} from './secretsmanager.js'
import {stsService} from './sts.js'

export const serviceFactories: ServiceFactory[] = [stsService, secretsManagerService, auth0Service]
